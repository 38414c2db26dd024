namespace Zircon.Vmm.Machine;

/// <summary>More processors were asked for than this host's hypervisor gives one guest.</summary>
public sealed class ProcessorLimitException(int requested, int limit)
    : Exception($"{requested} processors asked for; this host's hypervisor gives a guest at most {limit}")
{
    /// <summary>Processors asked for.</summary>
    public int Requested { get; } = requested;

    /// <summary>The most a guest can have here.</summary>
    public int Limit { get; } = limit;
}
