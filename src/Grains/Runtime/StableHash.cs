using System.Text;

namespace Cluster.Grains.Runtime;

/// <summary>
/// A hash that is the same in every process and on every machine, so that every silo maps a key to the same
/// partition. <c>string.GetHashCode()</c> is randomized per process and must never be used for this.
/// FNV-1a 64 over UTF-8 bytes with a SplitMix64 finalizer, because plain FNV-1a has weak low bits and the
/// partition is taken modulo a power of two.
/// </summary>
public static class StableHash
{
    public static ulong Hash(string a, string b)
    {
        var hash = 14695981039346656037UL;
        hash = Mix(hash, a);
        hash = (hash ^ 0xFF) * 1099511628211UL; // separator: ("ab","c") and ("a","bc") must differ
        hash = Mix(hash, b);
        return Finalize(hash);
    }

    public static PartitionId Partition(string a, string b, int partitions) =>
        new((int)(Hash(a, b) % (ulong)partitions));

    private static ulong Mix(ulong hash, string value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var bytes = max <= buffer.Length ? buffer : new byte[max];
        var n = Encoding.UTF8.GetBytes(value, bytes);
        foreach (var b in bytes[..n])
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
