using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    public static ulong Compute(ReadOnlySpan<char> text) => ComputeWithSentences(text, [], out _);

    /// <summary>Content chars a sentence needs for its own fingerprint; shorter ones ("转发！") are too common.</summary>
    public const int MinSentenceContent = 20;

    /// <summary>Most sentence fingerprints <see cref="ComputeWithSentences"/> reports.</summary>
    public const int MaxSentences = 32;

    /// <summary>
    /// The whole text's fingerprint plus one per sentence of at least <see cref="MinSentenceContent"/> content
    /// chars, in a single pass. Sentence shingles never span a boundary, so a sentence's fingerprint equals
    /// <see cref="Compute"/> of its slice. Sentences end at 。 ! ? ; : and newlines (a colon ends a lead-in:
    /// "群里有人发：……" quotes what follows).
    /// </summary>
    public static ulong ComputeWithSentences(ReadOnlySpan<char> text, Span<ulong> sentences, out int sentenceCount) =>
        Avx2.IsSupported
            ? ComputeWithSentences<ShuffleExpander>(text, sentences, out sentenceCount)
            : ComputeWithSentences<TableExpander>(text, sentences, out sentenceCount);

    /// <remarks>
    /// Shingles are taken over content chars only (letters, digits, ideographs): punctuation and spacing are
    /// how a copy is most often retouched, and they say nothing about what the text claims.
    ///
    /// Bit i of the fingerprint is set when more than half of the shingle hashes have bit i set (the same as
    /// Charikar's ±1 sum being positive). The 64 per-bit counts are kept as bytes in two 256-bit vectors: a
    /// hash is expanded to 64 bytes of 0 or 1 and added in two instructions, and the bytes spill into int
    /// totals before they can overflow. Each shingle is counted once: into its sentence's counts when it lies
    /// inside a sentence, else (it spans a sentence end) straight into the whole text's; a finished sentence's
    /// counts are then added to the whole text's. The byte counts are plain locals, never passed by
    /// reference, so they stay in registers through the loop.
    /// </remarks>
    internal static ulong ComputeWithSentences<TExpander>(ReadOnlySpan<char> text, Span<ulong> sentences, out int sentenceCount)
        where TExpander : struct, IExpander
    {
        var withSentences = !sentences.IsEmpty;
        // s: the current sentence; w: the whole text (shingles spanning a sentence end, finished sentences).
        Vector256<byte> sLow = default, sHigh = default, wLow = default, wHigh = default;
        int sPending = 0, sShingles = 0, wPending = 0, wShingles = 0;
        bool sSpilled = false, wSpilled = false;
        Totals sTotals = default, wTotals = default;
        ref var kinds = ref MemoryMarshal.GetArrayDataReference(Kinds);
        uint c0 = 0, c1 = 0, c2 = 0;
        var content = 0;
        var sentenceContent = 0;
        var count = 0;
        // One step past the end, a sentence end that always closes the last sentence.
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '\n';
            var kind = Unsafe.Add(ref kinds, c);
            if (kind == Content)
            {
                c0 = c1;
                c1 = c2;
                c2 = c;
                sentenceContent++;
                if (++content < ShingleLength)
                {
                    continue;
                }
                var hash = Hash3(c0, c1, c2);
                if (sentenceContent >= ShingleLength)
                {
                    if (sPending == byte.MaxValue)
                    {
                        sTotals.AddBytes(sLow, sHigh);
                        sSpilled = true;
                        sLow = sHigh = default;
                        sPending = 0;
                    }
                    sLow += TExpander.Low(hash);
                    sHigh += TExpander.High(hash);
                    sPending++;
                    sShingles++;
                }
                else
                {
                    if (wPending == byte.MaxValue)
                    {
                        wTotals.AddBytes(wLow, wHigh);
                        wSpilled = true;
                        wLow = wHigh = default;
                        wPending = 0;
                    }
                    wLow += TExpander.Low(hash);
                    wHigh += TExpander.High(hash);
                    wPending++;
                    wShingles++;
                }
                continue;
            }
            if (kind != SentenceEnd || (!withSentences && i < text.Length))
            {
                continue;
            }

            // A sentence ends: its fingerprint when it is long enough (never without a sentence buffer), then
            // its counts go into the whole's. Without sentences only the end of the text gets here.
            if (sentenceContent >= MinSentenceContent && count < sentences.Length)
            {
                sentences[count++] = Finish(sLow, sHigh, sShingles, sSpilled, ref sTotals);
            }
            sentenceContent = 0;
            if (sShingles == 0)
            {
                continue;
            }
            if (sSpilled)
            {
                wTotals.Add(ref sTotals);
                wSpilled = true;
                sTotals = default;
                sSpilled = false;
            }
            if (wPending + sPending > byte.MaxValue)
            {
                wTotals.AddBytes(wLow, wHigh);
                wSpilled = true;
                wLow = wHigh = default;
                wPending = 0;
            }
            wLow += sLow;
            wHigh += sHigh;
            wPending += sPending;
            wShingles += sShingles;
            sLow = sHigh = default;
            sPending = sShingles = 0;
        }

        sentenceCount = count;
        if (wShingles == 0)
        {
            return content switch
            {
                0 => 0,
                1 => Hash3(0, 0, c2),
                _ => Hash3(0, c1, c2),
            };
        }
        return Finish(wLow, wHigh, wShingles, wSpilled, ref wTotals);
    }

    /// <summary>Bit i set when 2·count_i > shingles (ties stay clear, as a zero ±1 sum does).</summary>
    private static ulong Finish(Vector256<byte> low, Vector256<byte> high, int shingles, bool spilled, ref Totals totals)
    {
        if (!spilled)
        {
            // Every count still fits a byte: count > shingles / 2 compared byte-wise, 32 bits at a time.
            var half = Vector256.Create((byte)(shingles / 2));
            return Vector256.GreaterThan(low, half).ExtractMostSignificantBits()
                | ((ulong)Vector256.GreaterThan(high, half).ExtractMostSignificantBits() << 32);
        }
        var all = totals;
        all.AddBytes(low, high);
        return all.Finish(shingles);
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

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>
    /// The three UTF-16 units packed into 48 bits, then the SplitMix64 finalizer: a bijection that makes every
    /// one of the 64 output bits an independent-looking coin per shingle, as SimHash needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash3(uint a, uint b, uint c)
    {
        var hash = (((ulong)a << 32) | ((ulong)b << 16) | c) + 0x9E3779B97F4A7C15;
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EB;
        return hash ^ (hash >> 31);
    }

    /// <summary>
    /// Turns a 64-bit hash into 64 bytes, byte i = bit i, as two vectors (bits 0–31, bits 32–63).
    /// </summary>
    internal interface IExpander
    {
        /// <summary>Bits 0–31 of <paramref name="hash"/> as 32 bytes of 0 or 1.</summary>
        static abstract Vector256<byte> Low(ulong hash);

        /// <summary>Bits 32–63 of <paramref name="hash"/> as 32 bytes of 0 or 1.</summary>
        static abstract Vector256<byte> High(ulong hash);
    }

    /// <summary>AVX2: broadcast, byte shuffle so each byte holds the hash byte its bit lives in, test the bit.</summary>
    internal readonly struct ShuffleExpander : IExpander
    {
        private static readonly Vector256<byte> LowBytes = Vector256.Create(
            (byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);

        private static readonly Vector256<byte> HighBytes = Vector256.Create(
            (byte)4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7);

        private static readonly Vector256<byte> BitOfByte = Vector256.Create(0x8040201008040201UL).AsByte();

        // vpshufb shuffles within each 128-bit half; the broadcast puts all eight hash bytes in both.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> Low(ulong hash) =>
            Vector256.Min(Avx2.Shuffle(Vector256.Create(hash).AsByte(), LowBytes) & BitOfByte, Vector256<byte>.One);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> High(ulong hash) =>
            Vector256.Min(Avx2.Shuffle(Vector256.Create(hash).AsByte(), HighBytes) & BitOfByte, Vector256<byte>.One);
    }

    /// <summary>Portable: a 256-entry table whose entry b has byte j = bit j of b.</summary>
    internal readonly struct TableExpander : IExpander
    {
        private static readonly ulong[] Table = BuildTable();

        private static ulong[] BuildTable()
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

        public static Vector256<byte> Low(ulong hash)
        {
            var t = Table;
            return Vector256.Create(t[(byte)hash], t[(byte)(hash >> 8)], t[(byte)(hash >> 16)], t[(byte)(hash >> 24)]).AsByte();
        }

        public static Vector256<byte> High(ulong hash)
        {
            var t = Table;
            return Vector256.Create(t[(byte)(hash >> 32)], t[(byte)(hash >> 40)], t[(byte)(hash >> 48)], t[(byte)(hash >> 56)]).AsByte();
        }
    }

    /// <summary>64 int counts as eight vectors of eight.</summary>
    [InlineArray(8)]
    private struct Totals
    {
        private Vector256<int> _first;

        public void AddBytes(Vector256<byte> low, Vector256<byte> high)
        {
            var (l0, l1) = Vector256.Widen(low);
            var (h0, h1) = Vector256.Widen(high);
            AddShorts(0, l0);
            AddShorts(2, l1);
            AddShorts(4, h0);
            AddShorts(6, h1);
        }

        public void Add(ref Totals other)
        {
            for (var i = 0; i < 8; i++)
            {
                this[i] += other[i];
            }
        }

        public readonly ulong Finish(int shingles)
        {
            var threshold = Vector256.Create(shingles);
            ulong fingerprint = 0;
            for (var i = 0; i < 8; i++)
            {
                fingerprint |= (ulong)Vector256.GreaterThan(this[i] * 2, threshold).ExtractMostSignificantBits() << (8 * i);
            }
            return fingerprint;
        }

        private void AddShorts(int at, Vector256<ushort> counts)
        {
            var (lower, upper) = Vector256.Widen(counts);
            this[at] += lower.AsInt32();
            this[at + 1] += upper.AsInt32();
        }
    }
}
