using Zircon.Linux.Libc;

namespace Zircon.Linux.Tests;

/// <summary>/dev/kvm, capabilities, CPUID, VM memory slots and their error paths.</summary>
[Collection(KvmCollection.Name)]
public sealed class KvmSystemTests
{
    [Fact]
    public void Open_MissingDevice_IsNotSupported()
    {
        Assert.Equal(ZxStatus.ErrNotSupported, KvmSystem.Open("/nonexistent/kvm", out KvmSystem? system));
        Assert.Null(system);
    }

    [Fact]
    public void Open_NotAKvmDevice_IsNotSupported()
    {
        Assert.Equal(ZxStatus.ErrNotSupported, KvmSystem.Open("/dev/null", out KvmSystem? system));
        Assert.Null(system);
    }

    [KvmFact]
    public void Open_ReportsTheCapabilitiesThisBackendUses()
    {
        Assert.Equal(ZxStatus.Ok, KvmSystem.Open(out KvmSystem? system));
        using (system)
        {
            Assert.True(system!.VcpuMmapSize >= 4096);
            Assert.Equal(7, system.CheckExtension(KvmCapability.SyncRegs));
            Assert.True(system.CheckExtension(KvmCapability.ImmediateExit) > 0);
            Assert.True(system.CheckExtension(KvmCapability.UserMemory) > 0);
            Assert.True(system.CheckExtension(KvmCapability.SplitIrqchip) > 0);
            Assert.True(system.CheckExtension(KvmCapability.Irqfd) > 0);
            Assert.True(system.CheckExtension(KvmCapability.SignalMsi) > 0);
            Assert.True(system.CheckExtension(KvmCapability.VcpuEvents) > 0);
            Assert.True(system.CheckExtension(KvmCapability.NrMemslots) > 0);
            Assert.Equal(0, system.CheckExtension((KvmCapability)0xFFFF));
        }
    }

    [KvmFact]
    public void GetSupportedCpuid_HasLongModeAndGivesIndependentCopies()
    {
        Assert.Equal(ZxStatus.Ok, TestGuest.System.GetSupportedCpuid(out KvmCpuid? first));
        int extended = first!.IndexOf(0x80000001);
        Assert.True(extended >= 0);
        Assert.NotEqual(0u, first.Entries[extended].edx & (1u << 29)); // LM
        first.Entries[extended].edx = 0;
        Assert.Equal(ZxStatus.Ok, TestGuest.System.GetSupportedCpuid(out KvmCpuid? second));
        Assert.NotEqual(0u, second!.Entries[second.IndexOf(0x80000001)].edx);
    }

    [KvmFact]
    public void SetCpuid_AdjustedLeaf_IsWhatTheVcpuReports()
    {
        using var guest = TestGuest.Create();
        Assert.Equal(ZxStatus.Ok, TestGuest.System.GetSupportedCpuid(out KvmCpuid? cpuid));
        cpuid!.Set(new kvm_cpuid_entry2 { function = 0x40000000, eax = 0x40000001, ebx = 0x4B4D564B });
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.SetCpuid(cpuid));
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.GetCpuid(out KvmCpuid? installed));
        int i = installed!.IndexOf(0x40000000);
        Assert.Equal(0x4B4D564Bu, installed.Entries[i].ebx);
    }

    [KvmFact]
    public void CreateVcpu_SyncAreaIsFilledBeforeTheFirstRun()
    {
        Assert.Equal(ZxStatus.Ok, TestGuest.System.CreateVm(KvmIrqchipMode.None, out KvmVm? vm));
        using (vm)
        {
            Assert.Equal(ZxStatus.Ok, vm!.CreateVcpu(0, out KvmVcpu? vcpu));
            using (vcpu)
            {
                Assert.Equal(0xFFF0UL, vcpu!.Regs.rip);          // KVM's reset state
                Assert.Equal(0xFFFF0000UL, vcpu.Sregs.cs.@base);
                Assert.Equal(KvmRegisterSets.All, vcpu.SyncedSets);
                Assert.Equal(KvmRegisterSets.None, vcpu.DirtySets);
            }
            Assert.NotEqual(ZxStatus.Ok, vm.CreateVcpu(0, out _)); // the same id twice
        }
    }

    [KvmFact]
    public void MapMemory_ChecksAlignmentOverlapAndSlots()
    {
        Assert.Equal(ZxStatus.Ok, TestGuest.System.CreateVm(KvmIrqchipMode.None, out KvmVm? vm));
        Assert.Equal(ZxStatus.Ok, SharedMemory.Create("slots", 0x4000, out SharedMemory? memory));
        Assert.Equal(ZxStatus.Ok, HostMappings.Map(memory!, 0, 0x4000, true, true, false, 0, false, out ulong host));
        try
        {
            Assert.Equal(ZxStatus.ErrInvalidArgs, vm!.MapMemory(0x1001, 0x1000, host, false, out _));
            Assert.Equal(ZxStatus.ErrInvalidArgs, vm.MapMemory(0, 0, host, false, out _));
            Assert.Equal(ZxStatus.ErrInvalidArgs, vm.MapMemory(0, 0x1000, host + 1, false, out _));

            Assert.Equal(ZxStatus.Ok, vm.MapMemory(0x10000, 0x2000, host, false, out int a));
            Assert.Equal(ZxStatus.Ok, vm.MapMemory(0x20000, 0x1000, host + 0x2000, true, out int b));
            Assert.NotEqual(a, b);
            Assert.Equal(ZxStatus.ErrAlreadyExists, vm.MapMemory(0x11000, 0x1000, host + 0x3000, false, out _));
            Assert.Equal(ZxStatus.Ok, vm.UnmapMemory(a));
            Assert.Equal(ZxStatus.ErrNotFound, vm.UnmapMemory(a));
            Assert.Equal(ZxStatus.Ok, vm.MapMemory(0x11000, 0x1000, host + 0x3000, false, out int c));
            Assert.Equal(a, c); // the freed slot is reused
        }
        finally
        {
            HostMappings.Unmap(host, 0x4000);
            memory!.Dispose();
            vm!.Dispose();
        }
    }

    [KvmFact]
    public void DisposedVm_ReportsBadHandle()
    {
        Assert.Equal(ZxStatus.Ok, TestGuest.System.CreateVm(KvmIrqchipMode.Split, out KvmVm? vm));
        vm!.Dispose();
        Assert.Equal(ZxStatus.ErrBadHandle, vm.CreateVcpu(0, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, vm.SignalMsi(KvmMsiMessage.Fixed(0, 0x40)));
        Assert.Equal(0, vm.CheckExtension(KvmCapability.UserMemory));
    }

    [Fact]
    public void MsiMessage_EncodesDestinationVectorAndDeliveryMode()
    {
        Assert.Equal(new KvmMsiMessage(0xFEE03000, 0x41), KvmMsiMessage.Fixed(3, 0x41));
        Assert.Equal(new KvmMsiMessage(0xFEE00000, 0x400), KvmMsiMessage.Nmi(0));
    }
}
