using System.Runtime.CompilerServices;

namespace Zircon;

// Fixed-size byte arrays for struct fields, without unsafe fixed buffers.

[InlineArray(32)]
public struct Bytes32
{
    private byte _element0;
}

[InlineArray(15)]
public struct Bytes15
{
    private byte _element0;
}

[InlineArray(7)]
public struct Bytes7
{
    private byte _element0;
}

[InlineArray(4)]
public struct Bytes4
{
    private byte _element0;
}

[InlineArray(3)]
public struct Bytes3
{
    private byte _element0;
}
