using Zircon.Kernel.Handles;
using Zircon.Kernel.Objects;

namespace Zircon.Kernel.Tests;

/// <summary>
/// The handle table's slot is a sequence lock. Here one slot is emptied and refilled as fast as a
/// thread can, alternating two handles (different objects, rights and values), while other threads
/// read it without a lock: a read that succeeds must return one handle whole, never one handle's
/// value with the other's object or rights, and a read of the handle that is in the slot must not
/// fail. The table-level race tests cannot make this window likely; this one hits it constantly.
/// </summary>
public class HandleSlotRaceTests
{
    [Fact]
    public void EmptyAndFillRacingWithReads_ReadsReturnOneWholeHandleOrNothing()
    {
        var slot = new HandleSlot();
        Dispatcher a = new EventDispatcher(), b = new EventDispatcher();
        const uint ValueA = 0x1003, ValueB = 0x2007;
        const ZxRights RightsA = ZxRights.Basic, RightsB = ZxRights.Inspect | ZxRights.Signal;
        const int Refills = 200_000;
        bool done = false;
        long foundA = 0, missedA = 0, torn = 0;
        string? firstTorn = null;

        var readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                if (slot.TryRead(ValueA, out Handle h))
                {
                    foundA++;
                    if (!ReferenceEquals(h.Dispatcher, a) || h.Rights != RightsA || h.Value != ValueA || h.Id % 2 != 1)
                    {
                        Interlocked.Increment(ref torn);
                        Interlocked.CompareExchange(ref firstTorn, $"value {h.Value:x}, rights {h.Rights}, id {h.Id}, object {(ReferenceEquals(h.Dispatcher, a) ? "A" : "B")}", null);
                    }
                }
                else
                {
                    missedA++;
                }
            }
        })).ToList();
        readers.ForEach(t => t.Start());

        // Odd ids are A's incarnations, even ids B's: ids never repeat, as in the table.
        // Each handle stays a short random while, so reads meet it whole as well as mid-change.
        ulong id = 1;
        var random = new Random(1);
        for (int i = 0; i < Refills; i++)
        {
            slot.Fill(a, RightsA, ValueA, id++);
            Thread.SpinWait(random.Next(8));
            slot.Empty();
            slot.Fill(b, RightsB, ValueB, id++);
            Thread.SpinWait(random.Next(8));
            slot.Empty();
        }
        Volatile.Write(ref done, true);
        readers.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));

        Assert.True(torn == 0, $"{torn} torn reads, first: {firstTorn}");
        Assert.True(foundA > 0 && missedA > 0, $"reads found A {foundA} times, missed {missedA} times");

        // A handle that stays in the slot is always found.
        slot.Fill(b, RightsB, ValueB, id);
        Assert.True(slot.TryRead(ValueB, out Handle stays));
        Assert.Same(b, stays.Dispatcher);
        Assert.Equal(RightsB, stays.Rights);
        Assert.True(slot.Holds(id));
        Assert.False(slot.TryRead(ValueA, out _));
    }
}
