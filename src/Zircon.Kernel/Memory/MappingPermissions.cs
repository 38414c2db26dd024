namespace Zircon.Kernel.Memory;

/// <summary>Access a mapping allows.</summary>
[Flags]
public enum MappingPermissions
{
    /// <summary>No access.</summary>
    None = 0,
    /// <summary>Readable.</summary>
    Read = 1,
    /// <summary>Writable.</summary>
    Write = 2,
    /// <summary>Executable.</summary>
    Execute = 4,
}
