namespace Zircon.Vmm.Devices.Virtio;

/// <summary>Device status bits (virtio 1.x §2.1).</summary>
public static class VirtioStatus
{
    /// <summary>The guest has noticed the device.</summary>
    public const uint Acknowledge = 0x01;

    /// <summary>The guest knows how to drive the device.</summary>
    public const uint Driver = 0x02;

    /// <summary>The driver is set up and ready to drive the device.</summary>
    public const uint DriverOk = 0x04;

    /// <summary>Feature negotiation is complete (the device clears it when it refuses the features).</summary>
    public const uint FeaturesOk = 0x08;

    /// <summary>The device hit an error (a malformed ring) and needs a reset.</summary>
    public const uint DeviceNeedsReset = 0x40;

    /// <summary>The driver gave up on the device.</summary>
    public const uint Failed = 0x80;
}

/// <summary>Transport-level feature bits.</summary>
public static class VirtioFeatures
{
    /// <summary>VIRTIO_F_VERSION_1 (bit 32): the only transport feature zxvm offers, and one the driver must accept.</summary>
    public const ulong Version1 = 1UL << 32;
}

/// <summary>InterruptStatus / InterruptACK bits of the virtio-mmio transport.</summary>
public static class VirtioInterrupt
{
    /// <summary>The device used a buffer in at least one virtqueue.</summary>
    public const uint UsedBuffer = 0x1;

    /// <summary>The device configuration (or the device status: NEEDS_RESET) changed.</summary>
    public const uint ConfigurationChange = 0x2;
}
