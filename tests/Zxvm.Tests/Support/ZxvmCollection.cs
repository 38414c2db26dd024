namespace Zxvm.Tests.Support;

/// <summary>
/// Every class that runs zxvm belongs here, so the guests boot one at a time: child processes
/// could run in parallel, but the hosts are small nested VMs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ZxvmCollection
{
    public const string Name = "zxvm processes";
}
