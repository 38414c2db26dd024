namespace Zircon.Vmm.Devices;

/// <summary>A device with a doorbell page (a BELL trap); rings arrive on the device thread.</summary>
public interface IDoorbellDevice
{
    /// <summary>Receives a doorbell write at <paramref name="offset"/> within the device's doorbell page.</summary>
    void Ring(ulong offset);
}
