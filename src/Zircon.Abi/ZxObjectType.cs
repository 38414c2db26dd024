namespace Zircon;

/// <summary>Object types (<c>ZX_OBJ_TYPE_*</c>).</summary>
public enum ZxObjectType : uint
{
    None = 0,
    Process = 1,
    Thread = 2,
    Vmo = 3,
    Channel = 4,
    Event = 5,
    Port = 6,
    Interrupt = 9,
    PciDevice = 11,
    Log = 12,
    Socket = 14,
    Resource = 15,
    EventPair = 16,
    Job = 17,
    Vmar = 18,
    Fifo = 19,
    Guest = 20,
    Vcpu = 21,
    Timer = 22,
    Iommu = 23,
    Bti = 24,
    Profile = 25,
    Pmt = 26,
    SuspendToken = 27,
    Pager = 28,
    Exception = 29,
    Clock = 30,
    Stream = 31,
    Msi = 32,
}

/// <summary>Resource kinds (<c>ZX_RSRC_KIND_*</c>). The root resource satisfies every kind check.</summary>
public enum ZxResourceKind : uint
{
    Mmio = 0,
    Irq = 1,
    IoPort = 2,
    Hypervisor = 3,
    Root = 4,
    Vmex = 5,
    Smc = 6,
}
