using System.Runtime.CompilerServices;

namespace Zircon;

// Fixed-size byte arrays for struct fields, without unsafe fixed buffers.

/// <summary>32 inline bytes (the payload of a user packet).</summary>
[InlineArray(32)]
public struct Bytes32
{
    private byte _element0;
}

/// <summary>15 inline bytes (the instruction buffer of a GUEST_MEM packet).</summary>
[InlineArray(15)]
public struct Bytes15
{
    private byte _element0;
}

/// <summary>7 inline bytes (reserved space).</summary>
[InlineArray(7)]
public struct Bytes7
{
    private byte _element0;
}

/// <summary>4 inline bytes (the data of a guest IN/OUT).</summary>
[InlineArray(4)]
public struct Bytes4
{
    private byte _element0;
}

/// <summary>3 inline bytes (padding).</summary>
[InlineArray(3)]
public struct Bytes3
{
    private byte _element0;
}
