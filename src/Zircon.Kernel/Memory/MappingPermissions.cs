namespace Zircon.Kernel.Memory;

/// <summary>Access a mapping allows.</summary>
[Flags]
public enum MappingPermissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Execute = 4,
}
