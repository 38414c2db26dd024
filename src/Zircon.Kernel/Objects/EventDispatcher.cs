namespace Zircon.Kernel.Objects;

/// <summary>An event: an object whose only state is its signals (ZX_EVENT_SIGNALED and the user signals).</summary>
public sealed class EventDispatcher : Dispatcher
{
    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Event;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Event;

    /// <inheritdoc/>
    public override ZxSignals AllowedUserSignals => ZxSignals.UserAll | ZxSignals.EventSignaled;
}
