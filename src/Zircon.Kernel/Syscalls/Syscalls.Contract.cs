namespace Zircon.Kernel;

// TEMPORARY: signatures of syscalls not yet implemented. Each moves to its own file when done.
public static partial class Syscalls
{
    /// <summary><c>zx_interrupt_bind_vcpu</c>.</summary>
    public static ZxStatus InterruptBindVcpu(uint interrupt, uint vcpu, uint options) => throw new NotImplementedException();

}
