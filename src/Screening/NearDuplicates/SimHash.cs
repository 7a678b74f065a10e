using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cluster.Screening.NearDuplicates;

/// <summary>
/// 64-bit SimHash (Charikar) over overlapping 3-grams of content chars: texts that share most of their
/// 3-grams get fingerprints a small Hamming distance apart, unrelated texts land about 32 bits apart.
/// </summary>
/// <remarks>
/// Character shingles rather than words because Chinese has no spaces to split on. One edited char changes
/// the three shingles that cover it, so the fingerprint drifts more the shorter the text: one changed word in
/// a 229-char claim can move it 5 bits (RumorLibraryTests), past the distance of 3 the index guarantees,
/// which is why claims are also indexed sentence by sentence.
/// </remarks>
internal static class SimHash
{
    private const int ShingleLength = 3;
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static ulong Compute(ReadOnlySpan<char> text) => ComputeWithSentences(text, [], out _);

    /// <summary>Content chars a sentence needs for its own fingerprint; shorter ones ("转发！") are too common.</summary>
    public const int MinSentenceContent = 20;

    /// <summary>Most sentence fingerprints <see cref="ComputeWithSentences"/> reports.</summary>
    public const int MaxSentences = 32;

    /// <summary>
    /// The whole text's fingerprint plus one per sentence of at least <see cref="MinSentenceContent"/> content
    /// chars, in a single pass: each shingle is counted for the whole text and for its sentence. Sentence
    /// shingles never span a boundary, so a sentence's fingerprint equals <see cref="Compute"/> of its slice.
    /// Sentences end at 。 ! ? ; : and newlines (a colon ends a lead-in: "群里有人发：……" quotes what follows).
    /// </summary>
    public static ulong ComputeWithSentences(ReadOnlySpan<char> text, Span<ulong> sentences, out int sentenceCount)
    {
        // Shingles are taken over content chars only (letters, digits, ideographs): punctuation and spacing
        // are how a copy is most often retouched, and they say nothing about what the text claims.
        //
        // Bit i of the fingerprint is set when more than half of the shingle hashes have bit i set (the same
        // as Charikar's ±1 sum being positive). Counting is SWAR: eight ulongs hold the 64 per-bit counts as
        // bytes, a hash is added with eight table lookups and adds and no branches, and the bytes are flushed
        // into int totals every 255 shingles before they can overflow.
        var withSentences = !sentences.IsEmpty;
        Span<ulong> lanes = stackalloc ulong[8];
        Span<int> totals = stackalloc int[64];
        Span<ulong> sentenceLanes = stackalloc ulong[8];
        Span<int> sentenceTotals = stackalloc int[64];
        lanes.Clear();
        totals.Clear();
        sentenceLanes.Clear();
        sentenceTotals.Clear();
        var expand = Expand;
        char c0 = '\0', c1 = '\0', c2 = '\0';
        var content = 0;
        var shingles = 0;
        var pending = 0;
        var sentenceContent = 0;
        var sentenceShingles = 0;
        var sentencePending = 0;
        sentenceCount = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '\n';
            var kind = Kinds[c];
            if (kind == SentenceEnd)
            {
                if (!withSentences)
                {
                    continue;
                }
                if (sentenceContent >= MinSentenceContent && sentenceCount < sentences.Length)
                {
                    Flush(sentenceLanes, sentenceTotals);
                    sentences[sentenceCount++] = Finish(sentenceTotals, sentenceShingles);
                }
                sentenceLanes.Clear();
                sentenceTotals.Clear();
                sentenceContent = sentenceShingles = sentencePending = 0;
                continue;
            }
            if (kind != Content)
            {
                continue;
            }
            c0 = c1;
            c1 = c2;
            c2 = c;
            if (++content < ShingleLength)
            {
                sentenceContent++;
                continue;
            }
            // Once a sentence holds three content chars its window and the whole text's are the same chars,
            // so one hash serves both counts.
            var h = Hash3(c0, c1, c2);
            if (withSentences && ++sentenceContent >= ShingleLength)
            {
                Add(sentenceLanes, expand, h);
                sentenceShingles++;
                if (++sentencePending == 255)
                {
                    Flush(sentenceLanes, sentenceTotals);
                    sentencePending = 0;
                }
            }
            Add(lanes, expand, h);
            shingles++;
            if (++pending == 255)
            {
                Flush(lanes, totals);
                pending = 0;
            }
        }
        if (shingles == 0)
        {
            return content switch
            {
                0 => 0,
                1 => Hash3('\0', '\0', c2),
                _ => Hash3('\0', c1, c2),
            };
        }
        Flush(lanes, totals);
        return Finish(totals, shingles);
    }

    internal static bool IsSentenceEnd(char c) => c is '。' or '!' or '?' or ';' or ':' or '\n';

    private const byte Other = 0;
    private const byte Content = 1;
    private const byte SentenceEnd = 2;

    // Per UTF-16 unit: content (letter or digit), sentence end, or neither; one load instead of a Unicode
    // category lookup per char.
    private static readonly byte[] Kinds = BuildKinds();

    private static byte[] BuildKinds()
    {
        var kinds = new byte[65536];
        for (var c = 0; c < kinds.Length; c++)
        {
            kinds[c] = IsSentenceEnd((char)c) ? SentenceEnd : char.IsLetterOrDigit((char)c) ? Content : Other;
        }
        return kinds;
    }

    // Eight adds of table entries into the byte lanes. Unchecked access: the lanes are 8 long and every index
    // is masked to a byte of the 256-entry table, and the bounds checks were a fifth of the loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<ulong> lanes, ulong[] expand, ulong h)
    {
        ref var lane = ref MemoryMarshal.GetReference(lanes);
        ref var table = ref MemoryMarshal.GetArrayDataReference(expand);
        lane += Unsafe.Add(ref table, (nint)(h & 0xFF));
        Unsafe.Add(ref lane, 1) += Unsafe.Add(ref table, (nint)((h >> 8) & 0xFF));
        Unsafe.Add(ref lane, 2) += Unsafe.Add(ref table, (nint)((h >> 16) & 0xFF));
        Unsafe.Add(ref lane, 3) += Unsafe.Add(ref table, (nint)((h >> 24) & 0xFF));
        Unsafe.Add(ref lane, 4) += Unsafe.Add(ref table, (nint)((h >> 32) & 0xFF));
        Unsafe.Add(ref lane, 5) += Unsafe.Add(ref table, (nint)((h >> 40) & 0xFF));
        Unsafe.Add(ref lane, 6) += Unsafe.Add(ref table, (nint)((h >> 48) & 0xFF));
        Unsafe.Add(ref lane, 7) += Unsafe.Add(ref table, (nint)(h >> 56));
    }

    // Bit i is set when count_i > shingles / 2, i.e. 2·count_i > shingles (ties stay clear, as a zero sum does).
    private static ulong Finish(ReadOnlySpan<int> totals, int shingles)
    {
        ulong fingerprint = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if (2 * totals[bit] > shingles)
            {
                fingerprint |= 1UL << bit;
            }
        }
        return fingerprint;
    }

    // Expand[b] has byte j = bit j of b: adding it to a lane counts the eight bits of one hash byte at once.
    private static readonly ulong[] Expand = BuildExpand();

    private static ulong[] BuildExpand()
    {
        var table = new ulong[256];
        for (var b = 0; b < 256; b++)
        {
            for (var j = 0; j < 8; j++)
            {
                table[b] |= (ulong)((b >> j) & 1) << (8 * j);
            }
        }
        return table;
    }

    private static void Flush(Span<ulong> lanes, Span<int> totals)
    {
        for (var lane = 0; lane < 8; lane++)
        {
            var packed = lanes[lane];
            for (var j = 0; j < 8; j++)
            {
                totals[(lane * 8) + j] += (int)((packed >> (8 * j)) & 0xFF);
            }
            lanes[lane] = 0;
        }
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>
    /// FNV-1a over the three UTF-16 units, then the SplitMix64 finalizer: FNV alone mixes its last char into
    /// the low bits only, and SimHash needs every one of the 64 bits to be an independent coin per shingle.
    /// </summary>
    private static ulong Hash3(char a, char b, char c)
    {
        var hash = FnvOffset;
        hash = (hash ^ a) * FnvPrime;
        hash = (hash ^ b) * FnvPrime;
        hash = (hash ^ c) * FnvPrime;
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EB;
        return hash ^ (hash >> 31);
    }
}
