using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Devices;

public sealed class TimerDeviceTests
{
    private readonly FakePeriodicTimer _timer = new();
    private readonly CountingInterrupt _interrupt = new();
    private readonly TimerDevice _device;

    public TimerDeviceTests()
    {
        _device = new TimerDevice(_timer, _interrupt);
    }

    [Fact]
    public void PeriodWrite_StartsTimerWithThatPeriod()
    {
        _device.Write(TimerDevice.PeriodOffset, 4, 10_000);

        Assert.True(_timer.IsRunning);
        Assert.Equal(TimeSpan.FromMilliseconds(10), _timer.Period);
        Assert.Equal(10_000u, _device.Read(TimerDevice.PeriodOffset, 4));
    }

    [Fact]
    public void PeriodWriteOfZero_StopsTimer()
    {
        _device.Write(TimerDevice.PeriodOffset, 4, 1000);

        _device.Write(TimerDevice.PeriodOffset, 4, 0);

        Assert.False(_timer.IsRunning);
        Assert.Equal(1, _timer.StopCount);
        Assert.Equal(0u, _device.PeriodMicroseconds);
    }

    [Fact]
    public void NewPeriod_RestartsTimer_SamePeriodDoesNot()
    {
        _device.Write(TimerDevice.PeriodOffset, 4, 1000);
        _device.Write(TimerDevice.PeriodOffset, 4, 1000);
        _device.Write(TimerDevice.PeriodOffset, 4, 2000);

        Assert.Equal(2, _timer.StartCount);
        Assert.Equal(TimeSpan.FromMilliseconds(2), _timer.Period);
    }

    [Fact]
    public void EachTick_CountsAndRaisesInterrupt()
    {
        _device.Write(TimerDevice.PeriodOffset, 4, 1000);

        _timer.Fire(5);

        Assert.Equal(5, _interrupt.Count);
        Assert.Equal(5u, _device.Read(TimerDevice.TicksOffset, 4));
        Assert.Equal(5, _device.Ticks);
    }

    [Fact]
    public void TickCount_SurvivesStopAndRestart()
    {
        _device.SetPeriod(1000);
        _timer.Fire(2);
        _device.SetPeriod(0);
        _device.SetPeriod(500);
        _timer.Fire(1);

        Assert.Equal(3u, _device.Read(TimerDevice.TicksOffset, 4));
    }

    [Fact]
    public void Dispose_StopsTimer()
    {
        _device.SetPeriod(1000);

        _device.Dispose();

        Assert.False(_timer.IsRunning);
    }
}
