namespace Zircon.Kernel.Objects;

// TEMPORARY placeholder so get_info compiles; the real VMAR lands with the VMO work.
public sealed class VmarDispatcher : Dispatcher
{
    public ulong Base { get; }

    public ulong Length { get; }

    public override ZxObjectType Type => ZxObjectType.Vmar;

    public override ZxRights DefaultRights => ZxDefaultRights.Vmar;
}
