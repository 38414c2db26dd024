using System.Numerics;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// The vectors <c>zx_vcpu_interrupt</c> marked pending on one VCPU (256 bits), set from any
/// thread and taken by the VCPU thread in Zircon's order: NMI (vector 2) first, then the highest
/// vector. Injecting anything discards pending exceptions (0..20 but 2).
/// </summary>
internal sealed class PendingInterrupts
{
    private const ulong ExceptionMask = 0x1F_FFFB; // vectors 0..20 except 2

    // A plain object so the VCPU thread can sleep on it (HLT without an in-kernel irqchip).
    private readonly object _lock = new();
    private readonly ulong[] _bits = new ulong[4];

    public void Add(uint vector)
    {
        lock (_lock)
        {
            _bits[vector >> 6] |= 1UL << (int)(vector & 63);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Sleeps until something is pending or <paramref name="timeoutMs"/> passes.</summary>
    public void WaitForAny(int timeoutMs)
    {
        lock (_lock)
        {
            if ((_bits[0] | _bits[1] | _bits[2] | _bits[3]) == 0)
                Monitor.Wait(_lock, timeoutMs);
        }
    }

    public bool Any
    {
        get
        {
            lock (_lock)
                return (_bits[0] | _bits[1] | _bits[2] | _bits[3]) != 0;
        }
    }

    /// <summary>The vector to consider next (NMI first, else the highest), or -1 if none.</summary>
    public int Peek()
    {
        lock (_lock)
        {
            if ((_bits[0] & (1UL << (int)ZxX86.NmiVector)) != 0)
                return (int)ZxX86.NmiVector;
            for (int word = 3; word >= 0; word--)
            {
                if (_bits[word] != 0)
                    return word * 64 + 63 - BitOperations.LeadingZeroCount(_bits[word]);
            }
            return -1;
        }
    }

    /// <summary>The vector was injected: it and every pending exception are gone.</summary>
    public void Injected(int vector)
    {
        lock (_lock)
        {
            _bits[vector >> 6] &= ~(1UL << (vector & 63));
            _bits[0] &= ~ExceptionMask;
        }
    }

    /// <summary>Drops one vector without injecting it.</summary>
    public void Remove(int vector)
    {
        lock (_lock)
            _bits[vector >> 6] &= ~(1UL << (vector & 63));
    }
}
