using System.Runtime.InteropServices;

namespace Cluster.Screening.Matching;

/// <summary>
/// A zeroed scratch array outside the GC heap, for the temporaries of a lexicon build; freed by
/// <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// A 100k-term build needs about 30 MB of scratch that is dead once the automaton exists. On the GC heap each
/// build would add that much to the large-object budget, and the background collections it then triggers run
/// beside the screening threads for CPU on a small node. From native memory it costs the collector nothing.
/// </remarks>
internal unsafe struct NativeBuffer<T> : IDisposable
    where T : unmanaged
{
    private T* _items;

    public NativeBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _items = (T*)NativeMemory.AllocZeroed((nuint)Math.Max(1, length), (nuint)sizeof(T));
        Length = length;
    }

    public int Length { get; private set; }

    public readonly Span<T> Span => _items is null ? throw new ObjectDisposedException(nameof(NativeBuffer<T>)) : new(_items, Length);

    /// <summary>Grows or shrinks to <paramref name="length"/>, keeping the items that fit and zeroing any new ones.</summary>
    public void Resize(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _items = (T*)NativeMemory.Realloc(_items, (nuint)Math.Max(1, length) * (nuint)sizeof(T));
        if (length > Length)
        {
            new Span<T>(_items + Length, length - Length).Clear();
        }
        Length = length;
    }

    public void Dispose()
    {
        NativeMemory.Free(_items);
        _items = null;
        Length = 0;
    }
}
