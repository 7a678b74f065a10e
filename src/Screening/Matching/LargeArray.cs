using System.Runtime.CompilerServices;

namespace Cluster.Screening.Matching;

/// <summary>
/// Allocation of the multi-megabyte arrays a lexicon build needs, zeroed in chunks by the building thread.
/// </summary>
/// <remarks>
/// A plain <c>new T[n]</c> of that size is zeroed inside the allocator, where the thread cannot be stopped
/// for a collection: on a fresh heap region every page also faults on first touch, and a screening thread
/// that needs a gen0 collection meanwhile waits for the whole allocation (measured: suspensions of 14–21 ms
/// during a 100k-term reload). Allocated uninitialized and cleared 64 KiB at a time, the builder reaches a
/// safe point between chunks.
/// </remarks>
internal static class LargeArray
{
    private const int ChunkBytes = 64 * 1024;

    public static T[] Zeroed<T>(int length)
        where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(length);
        var chunk = Math.Max(1, ChunkBytes / Unsafe.SizeOf<T>());
        for (var start = 0; start < length; start += chunk)
        {
            Clear(array.AsSpan(start, Math.Min(chunk, length - start)));
        }
        return array;
    }

    // Not inlined, so every chunk ends in a return: a place where the runtime can stop the thread.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Clear<T>(Span<T> span)
        where T : unmanaged => span.Clear();
}
