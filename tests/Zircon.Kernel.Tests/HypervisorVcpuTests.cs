using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary><c>zx_vcpu_create</c>, thread binding, state access and rights on the fake hypervisor.</summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorVcpuTests : FakeHypervisorTest
{
    private const uint StateKind = (uint)ZxVcpuStateKind.State, IoKind = (uint)ZxVcpuStateKind.Io;

    // ---- zx_vcpu_create ----

    [Fact]
    public void Create_NonZeroOptions_IsInvalidArgs_First()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuCreate(guest, 1, 0x2000, out uint vcpu));
        Assert.Equal(ZxHandleValues.Invalid, vcpu);
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuCreate(Zx.ClosedHandle(), 1, 0x2000, out _));
        Assert.Empty(Fake.LastGuest.Vcpus);
    }

    [Fact]
    public void Create_HandleChecks()
    {
        uint guest = CreateGuest();
        uint noManage = Track(Zx.Duplicate(guest, ZxDefaultRights.Guest & ~ZxRights.ManageProcess));
        uint ev = Track(Zx.Event());
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VcpuCreate(Zx.ClosedHandle(), 0, 0x2000, out _));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VcpuCreate(ev, 0, 0x2000, out _));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuCreate(noManage, 0, 0x2000, out _));
        // WRITE alone (the 2018 rule) is not enough.
        uint writeOnly = Track(Zx.Duplicate(guest, ZxRights.Write));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuCreate(writeOnly, 0, 0x2000, out _));
        Assert.Empty(Fake.LastGuest.Vcpus);
    }

    [Fact]
    public void Create_EntryOutsideGuestPhysicalSpace_IsInvalidArgs()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuCreate(guest, 0, 1UL << 48, out _));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuCreate(guest, 0, ulong.MaxValue, out _));
        Assert.Empty(Fake.LastGuest.Vcpus);
        CreateVcpu(guest, (1UL << 48) - 1);
    }

    [Fact]
    public void Create_ReturnsAVcpuHandleWithZirconsRights()
    {
        uint guest = CreateGuest();
        uint vcpu = CreateVcpu(guest);
        ZxInfoHandleBasic info = Zx.Info(vcpu);
        Assert.Equal((ZxObjectType.Vcpu, (ZxRights)0xD01F), (info.Type, info.Rights));
    }

    [Fact]
    public void Create_FirstVcpuIsTheBootstrapProcessor_OthersAreApplicationProcessors()
    {
        uint guest = CreateGuest();
        CreateVcpu(guest, 0x2000);
        uint second = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x8000, out second)));
        Track(second);
        IReadOnlyList<FakeVcpuBackend> vcpus = Fake.LastGuest.Vcpus;
        Assert.Equal((0u, true, 0x2000ul), (vcpus[0].Id, vcpus[0].Bootstrap, vcpus[0].Entry));
        Assert.Equal((1u, false, 0x8000ul), (vcpus[1].Id, vcpus[1].Bootstrap, vcpus[1].Entry));
    }

    [Fact]
    public void Create_SecondVcpuOnTheSameThread_IsBadState_UntilTheFirstIsClosed()
    {
        uint guest = CreateGuest();
        uint other = CreateGuest();
        uint first = CreateVcpu(guest);
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.VcpuCreate(guest, 0, 0x2000, out _));
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.VcpuCreate(other, 0, 0x2000, out _)); // per thread, not per guest
        Close(first);
        CreateVcpu(guest);
    }

    [Fact]
    public void Create_BackendFailure_IsReturned_AndFreesTheId()
    {
        uint guest = CreateGuest();
        Fake.LastGuest.CreateVcpuStatus = ZxStatus.ErrNoMemory;
        Assert.Equal(ZxStatus.ErrNoMemory, Syscalls.VcpuCreate(guest, 0, 0x2000, out _));
        Fake.LastGuest.CreateVcpuStatus = ZxStatus.Ok;
        CreateVcpu(guest); // the failed attempt neither took id 0 nor bound this thread
        Assert.True(Fake.LastGuest.Vcpus[0].Bootstrap);
    }

    [Fact]
    public void Create_64VcpusPerGuest_The65thIsNoResources()
    {
        uint guest = CreateGuest();
        var vcpus = new uint[GuestDispatcher.MaxVcpus];
        for (int i = 0; i < vcpus.Length; i++)
        {
            int index = i;
            Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x2000, out vcpus[index])));
            Track(vcpus[i]);
        }
        Assert.Equal(ZxStatus.ErrNoResources, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x2000, out _)));
        Assert.Equal(64, Fake.LastGuest.Vcpus.Count);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (uint)i), Fake.LastGuest.Vcpus.Select(v => v.Id));

        // Another guest has its own 64.
        uint other = CreateGuest();
        CreateVcpu(other);

        // Closing one frees its slot.
        Close(vcpus[10]);
        uint again = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x2000, out again)));
        Track(again);
        Assert.Equal(10u, Fake.Guests[^2].Vcpus[^1].Id);
    }

    // ---- thread binding ----

    [Fact]
    public void ResumeAndState_FromAnotherThread_AreBadState()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.ErrBadState, RunOnOtherThread(() => Resume(vcpu, out _)));
        Assert.Equal(ZxStatus.ErrBadState, RunOnOtherThread(() => ReadState(vcpu, out _)));
        Assert.Equal(ZxStatus.ErrBadState, RunOnOtherThread(() => WriteState(vcpu, default)));
        Assert.Equal(ZxStatus.ErrBadState, RunOnOtherThread(() => WriteIo(vcpu, 4, 1)));
        Assert.Equal(0, backend.Runs);
        AssertNoViolations(backend);
    }

    [Fact]
    public void State_ArgumentChecks_ComeBeforeTheThreadCheck()
    {
        (_, uint vcpu, _) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.ErrInvalidArgs, RunOnOtherThread(() => Syscalls.VcpuReadState(vcpu, StateKind, new byte[135])));
        Assert.Equal(ZxStatus.ErrInvalidArgs, RunOnOtherThread(() => Syscalls.VcpuWriteState(vcpu, StateKind, new byte[137])));
        Assert.Equal(ZxStatus.ErrInvalidArgs, RunOnOtherThread(() => Syscalls.VcpuReadState(vcpu, IoKind, new byte[8])));
    }

    [Fact]
    public void Interrupt_FromAnotherThread_IsAllowed_AndKicksTheVcpu()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuInterrupt(vcpu, 32)));
        Assert.Equal(1, backend.Kicks);
    }

    [Fact]
    public void Interrupt_AfterTheVcpuThreadExited_IsOk_AndTheHandleCanBeClosedFromAnotherThread()
    {
        uint guest = CreateGuest();
        uint vcpu = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x2000, out vcpu)));
        FakeVcpuBackend backend = Fake.LastGuest.Vcpus[0];
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 32));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 2));
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
        Assert.True(backend.IsReleased);
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VcpuInterrupt(vcpu, 32));
        AssertNoViolations(backend);
        // The guest can be torn down, and this thread could still make its own VCPU.
        CreateVcpu(guest);
    }

    // ---- read_state / write_state arguments ----

    [Fact]
    public void ReadState_NeedsKindStateAndExactly136Bytes()
    {
        (_, uint vcpu, _) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuReadState(vcpu, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuReadState(vcpu, StateKind, new byte[135]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuReadState(vcpu, StateKind, new byte[137]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuReadState(vcpu, StateKind, []));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuReadState(vcpu, IoKind, new byte[8]));   // IO cannot be read
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuReadState(vcpu, IoKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuReadState(vcpu, 2, new byte[136]));
    }

    [Fact]
    public void WriteState_StateNeeds136Bytes_IoNeeds8_OtherKindsAreInvalid()
    {
        (_, uint vcpu, _) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuWriteState(vcpu, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, StateKind, new byte[135]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, StateKind, new byte[8]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, IoKind, new byte[] { 1, 0, 0, 0, 0, 0, 0 }));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, IoKind, new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, IoKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, 2, new byte[136]));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VcpuWriteState(vcpu, 2, new byte[8]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(255)]
    public void WriteState_IoAccessSizeOtherThan124_IsInvalidArgs(byte size)
    {
        (_, uint vcpu, _) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.ErrInvalidArgs, WriteIo(vcpu, size));
    }

    [Fact]
    public void WriteState_IoAccessSizes124_AreAccepted_WithNoInPending_AndSetTheLowBytesOfRax()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        backend.RawRegisters.Rax = 0x1111_2222_3333_4444;
        Assert.Equal(ZxStatus.Ok, WriteIo(vcpu, 1, 0xAABBCCDD));
        Assert.Equal(0x1111_2222_3333_44DDul, backend.RawRegisters.Rax);
        Assert.Equal(ZxStatus.Ok, WriteIo(vcpu, 2, 0xAABBCCDD));
        Assert.Equal(0x1111_2222_3333_CCDDul, backend.RawRegisters.Rax);
        Assert.Equal(ZxStatus.Ok, WriteIo(vcpu, 4, 0xAABBCCDD));
        Assert.Equal(0x1111_2222_AABB_CCDDul, backend.RawRegisters.Rax);
        Assert.Empty(backend.Events); // nothing to complete
    }

    [Fact]
    public void ReadState_ReportsTheGeneralRegisters_AndOnlyTheUserFlags()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        ref GuestRegisters r = ref backend.RawRegisters;
        r.Rax = 1; r.Rcx = 2; r.Rdx = 3; r.Rbx = 4; r.Rsp = 5; r.Rbp = 6; r.Rsi = 7; r.Rdi = 8;
        r.R8 = 9; r.R9 = 10; r.R10 = 11; r.R11 = 12; r.R12 = 13; r.R13 = 14; r.R14 = 15; r.R15 = 16;
        r.Rflags = 0xFFFF_FFFF_FFFF_FFFF;
        Assert.Equal(ZxStatus.Ok, ReadState(vcpu, out ZxVcpuState s));
        Assert.Equal(
            new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
            new[] { s.Rax, s.Rcx, s.Rdx, s.Rbx, s.Rsp, s.Rbp, s.Rsi, s.Rdi, s.R8, s.R9, s.R10, s.R11, s.R12, s.R13, s.R14, s.R15 });
        Assert.Equal(0x244DD5ul, s.Rflags);
    }

    [Fact]
    public void WriteState_SetsAllRegisters_AndRflagsOnlyWhenTheReservedBitIsSet()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        backend.RawRegisters.Rflags = 0x202 | 0x1; // IF and CF
        backend.RawRegisters.Rip = 0x2345;
        var s = new ZxVcpuState
        {
            Rax = 1, Rcx = 2, Rdx = 3, Rbx = 4, Rsp = 5, Rbp = 6, Rsi = 7, Rdi = 8,
            R8 = 9, R9 = 10, R10 = 11, R11 = 12, R12 = 13, R13 = 14, R14 = 15, R15 = 16,
            Rflags = 0,
        };
        Assert.Equal(ZxStatus.Ok, WriteState(vcpu, s));
        GuestRegisters r = backend.RawRegisters;
        Assert.Equal(
            new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
            new[] { r.Rax, r.Rcx, r.Rdx, r.Rbx, r.Rsp, r.Rbp, r.Rsi, r.Rdi, r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15 });
        Assert.Equal(0x203ul, r.Rflags);  // rflags 0: untouched
        Assert.Equal(0x2345ul, r.Rip);    // RIP is not part of the state

        s.Rflags = 0x40000;                // AC but no reserved bit: still untouched
        Assert.Equal(ZxStatus.Ok, WriteState(vcpu, s));
        Assert.Equal(0x203ul, backend.RawRegisters.Rflags);

        s.Rflags = 0x2 | 0x40000 | 0x80;   // reserved bit set: user flags replaced (CF off, AC and SF on), IF kept
        Assert.Equal(ZxStatus.Ok, WriteState(vcpu, s));
        Assert.Equal(0x40282ul, backend.RawRegisters.Rflags);

        s.Rflags = 0xFFFF_FFFF_FFFF_FFFF;  // non-user bits supplied are ignored
        Assert.Equal(ZxStatus.Ok, WriteState(vcpu, s));
        Assert.Equal(0x244DD5ul | 0x202, backend.RawRegisters.Rflags);
    }

    // ---- rights ----

    [Fact]
    public void Rights_ResumeNeedsExecute_InterruptSignal_ReadRead_WriteWrite()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        uint noExecute = Track(Zx.Duplicate(vcpu, ZxDefaultRights.Vcpu & ~ZxRights.Execute));
        uint noSignal = Track(Zx.Duplicate(vcpu, ZxDefaultRights.Vcpu & ~ZxRights.Signal));
        uint noRead = Track(Zx.Duplicate(vcpu, ZxDefaultRights.Vcpu & ~ZxRights.Read));
        uint noWrite = Track(Zx.Duplicate(vcpu, ZxDefaultRights.Vcpu & ~ZxRights.Write));
        Assert.Equal(ZxStatus.ErrAccessDenied, Resume(noExecute, out _));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuInterrupt(noSignal, 32));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuReadState(noRead, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuReadState(noRead, IoKind, new byte[1])); // rights first
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuWriteState(noWrite, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrAccessDenied, WriteIo(noWrite, 3));
        Assert.Equal(0, backend.Runs);
        Assert.Equal(0, backend.Kicks);

        // With just the one right each call works.
        backend.Then(VcpuExitKind.EntryFailure);
        Assert.Equal(ZxStatus.ErrBadState, Resume(Track(Zx.Duplicate(vcpu, ZxRights.Execute)), out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(Track(Zx.Duplicate(vcpu, ZxRights.Signal)), 32));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuReadState(Track(Zx.Duplicate(vcpu, ZxRights.Read)), StateKind, new byte[136]));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuWriteState(Track(Zx.Duplicate(vcpu, ZxRights.Write)), StateKind, new byte[136]));
    }

    [Fact]
    public void VcpuCalls_OnOtherObjects_AreWrongType_OnClosedHandles_BadHandle()
    {
        uint guest = CreateGuest();
        uint closed = Zx.ClosedHandle();
        Assert.Equal(ZxStatus.ErrWrongType, Resume(guest, out _));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VcpuInterrupt(guest, 32));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VcpuReadState(guest, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VcpuWriteState(guest, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrBadHandle, Resume(closed, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VcpuInterrupt(closed, 32));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VcpuReadState(closed, StateKind, new byte[136]));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VcpuWriteState(closed, StateKind, new byte[136]));
    }
}
