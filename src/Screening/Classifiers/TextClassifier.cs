using System.Buffers.Binary;

namespace Cluster.Screening.Classifiers;

/// <summary>
/// Logistic regression over hashed character unigrams, bigrams and trigrams of text that is already in match
/// form (<see cref="Normalization.MatchView.Build(string)"/>). Only letters, digits and ideographs make
/// n-grams; any other char (sentence punctuation, spaces) ends a run, so no n-gram spans two clauses.
/// A text's feature vector holds each n-gram's count scaled by 1/√(n-grams in the text), so a long post
/// weighs as much as a short one instead of scoring by length.
/// </summary>
/// <remarks>
/// Memory: 2^18 float weights = 1 MiB per model, plus one double bias; training holds a second 2 MiB of
/// AdaGrad accumulators and the examples' sparse vectors, and drops them when it returns. 2^18 buckets keep
/// collisions rare for the ~10^5–10^6 distinct n-grams of a few tens of thousands of posts.
/// <see cref="Score"/> allocates nothing and is safe to call from many threads; the weights never change
/// after <see cref="Train"/> or <see cref="Load"/>.
/// </remarks>
internal sealed class TextClassifier
{
    public const int BucketBits = 18;

    public const int BucketCount = 1 << BucketBits;

    private const int BucketMask = BucketCount - 1;

    private const int FormatVersion = 1;

    // magic (4) + version (4) + bucket count (4) + bias (8); the weights follow as little-endian floats.
    private const int HeaderSize = 20;

    private const uint FnvOffset = 2166136261;

    private const uint FnvPrime = 16777619;

    // AdaGrad's guard against dividing by zero on a bucket's first update; far below any real squared gradient.
    private const double AdaGradEpsilon = 1e-8;

    private static ReadOnlySpan<byte> Magic => "CLTC"u8;

    private readonly float[] _weights;

    private TextClassifier(float[] weights, double bias)
    {
        _weights = weights;
        Bias = bias;
    }

    public double Bias { get; }

    /// <summary>Probability in [0, 1] that <paramref name="normalizedText"/> is in the positive class.</summary>
    public double Score(ReadOnlySpan<char> normalizedText)
    {
        var sum = new WeightSum(_weights);
        Extract(normalizedText, ref sum);
        var z = Bias + (sum.Count == 0 ? 0.0 : sum.Sum / Math.Sqrt(sum.Count));
        return Sigmoid(z);
    }

    /// <summary>
    /// Trains with AdaGrad on the log loss, visiting the examples in an order shuffled by <paramref name="seed"/>
    /// each epoch, so equal inputs give bit-identical models. L2 is applied lazily, to the buckets an example
    /// touches, as usual for sparse SGD; the bias is not regularized.
    /// </summary>
    public static TextClassifier Train(IReadOnlyList<(string Text, bool Label)> examples, int epochs = 5, double learningRate = 0.1, double l2 = 1e-6, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(l2);

        var vectors = new SparseVector[examples.Count];
        var collector = new BucketCollector(new List<int>(256));
        for (var i = 0; i < vectors.Length; i++)
        {
            collector.Buckets.Clear();
            Extract(examples[i].Text, ref collector);
            vectors[i] = SparseVector.From(collector.Buckets);
        }

        var weights = new float[BucketCount];
        var squared = new double[BucketCount];
        var bias = 0.0;
        var biasSquared = 0.0;
        var order = new int[vectors.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var random = new Random(seed);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var index in order)
            {
                var vector = vectors[index];
                var z = bias;
                for (var f = 0; f < vector.Buckets.Length; f++)
                {
                    z += weights[vector.Buckets[f]] * vector.Values[f];
                }
                var gradient = Sigmoid(z) - (examples[index].Label ? 1.0 : 0.0);
                for (var f = 0; f < vector.Buckets.Length; f++)
                {
                    var bucket = vector.Buckets[f];
                    var g = gradient * vector.Values[f] + l2 * weights[bucket];
                    squared[bucket] += g * g;
                    weights[bucket] -= (float)(learningRate * g / (Math.Sqrt(squared[bucket]) + AdaGradEpsilon));
                }
                biasSquared += gradient * gradient;
                bias -= learningRate * gradient / (Math.Sqrt(biasSquared) + AdaGradEpsilon);
            }
        }
        return new TextClassifier(weights, bias);
    }

    /// <summary>Writes the model: "CLTC", format version, bucket count, bias, then the weights, all little-endian (1 MiB + 20 bytes).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> buffer = stackalloc byte[4096];
        Magic.CopyTo(buffer);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], BucketCount);
        BinaryPrimitives.WriteDoubleLittleEndian(buffer[12..], Bias);
        stream.Write(buffer[..HeaderSize]);
        const int PerChunk = 4096 / sizeof(float);
        for (var start = 0; start < _weights.Length; start += PerChunk)
        {
            for (var i = 0; i < PerChunk; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer[(i * sizeof(float))..], _weights[start + i]);
            }
            stream.Write(buffer);
        }
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a wrong magic, version or bucket count, a truncated stream or a non-finite value is an <see cref="InvalidDataException"/>.</summary>
    public static TextClassifier Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> buffer = stackalloc byte[4096];
        try
        {
            stream.ReadExactly(buffer[..HeaderSize]);
            if (!buffer[..4].SequenceEqual(Magic))
            {
                throw new InvalidDataException("not a text classifier model: the stream does not start with \"CLTC\"");
            }
            var version = BinaryPrimitives.ReadInt32LittleEndian(buffer[4..]);
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"text classifier format version {version} is not supported; this build reads version {FormatVersion}");
            }
            var buckets = BinaryPrimitives.ReadInt32LittleEndian(buffer[8..]);
            if (buckets != BucketCount)
            {
                throw new InvalidDataException($"text classifier has {buckets} buckets; this build hashes into {BucketCount}");
            }
            var bias = BinaryPrimitives.ReadDoubleLittleEndian(buffer[12..]);
            var weights = new float[BucketCount];
            const int PerChunk = 4096 / sizeof(float);
            for (var start = 0; start < weights.Length; start += PerChunk)
            {
                stream.ReadExactly(buffer);
                for (var i = 0; i < PerChunk; i++)
                {
                    weights[start + i] = BinaryPrimitives.ReadSingleLittleEndian(buffer[(i * sizeof(float))..]);
                }
            }
            if (!double.IsFinite(bias) || Array.Exists(weights, w => !float.IsFinite(w)))
            {
                throw new InvalidDataException("text classifier holds a NaN or infinite weight");
            }
            return new TextClassifier(weights, bias);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("text classifier model is truncated", e);
        }
    }

    private static double Sigmoid(double z)
    {
        // Two forms so exp never overflows: e^-z for z ≥ 0, e^z otherwise.
        if (z >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-z));
        }
        var e = Math.Exp(z);
        return e / (1.0 + e);
    }

    /// <summary>Feeds the bucket of every unigram, bigram and trigram of letters, digits and ideographs to <paramref name="sink"/>.</summary>
    private static void Extract<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, IFeatureSink
    {
        var previous1 = '\0';
        var previous2 = '\0';
        var run = 0;
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c))
            {
                run = 0;
                continue;
            }
            run++;
            // The n-gram length is hashed first, so 好 alone and 好 as the tail of a longer gram start apart.
            sink.Add(Bucket(Step(Step(FnvOffset, '\u0001'), c)));
            if (run >= 2)
            {
                sink.Add(Bucket(Step(Step(Step(FnvOffset, '\u0002'), previous1), c)));
            }
            if (run >= 3)
            {
                sink.Add(Bucket(Step(Step(Step(Step(FnvOffset, '\u0003'), previous2), previous1), c)));
            }
            previous2 = previous1;
            previous1 = c;
        }
    }

    // FNV-1a over whole UTF-16 chars: one xor and one multiply per char.
    private static uint Step(uint hash, char c) => (hash ^ c) * FnvPrime;

    // FNV-1a's low bits mix poorly for short inputs, and the bucket is the low 18 bits, so MurmurHash3's
    // 32-bit finalizer spreads every input bit over them first.
    private static int Bucket(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85EBCA6B;
        hash ^= hash >> 13;
        hash *= 0xC2B2AE35;
        hash ^= hash >> 16;
        return (int)(hash & BucketMask);
    }

    private interface IFeatureSink
    {
        void Add(int bucket);
    }

    private struct WeightSum(float[] weights) : IFeatureSink
    {
        private readonly float[] _weights = weights;

        public double Sum;

        public int Count;

        public void Add(int bucket)
        {
            Sum += _weights[bucket];
            Count++;
        }
    }

    private readonly struct BucketCollector(List<int> buckets) : IFeatureSink
    {
        public List<int> Buckets { get; } = buckets;

        public void Add(int bucket) => Buckets.Add(bucket);
    }

    /// <summary>One example's distinct buckets with count/√total as values; the same z as <see cref="Score"/> computes.</summary>
    private readonly record struct SparseVector(int[] Buckets, double[] Values)
    {
        public static SparseVector From(List<int> occurrences)
        {
            if (occurrences.Count == 0)
            {
                return new SparseVector([], []);
            }
            occurrences.Sort();
            var scale = 1.0 / Math.Sqrt(occurrences.Count);
            var distinct = 1;
            for (var i = 1; i < occurrences.Count; i++)
            {
                distinct += occurrences[i] != occurrences[i - 1] ? 1 : 0;
            }
            var buckets = new int[distinct];
            var values = new double[distinct];
            var d = -1;
            for (var i = 0; i < occurrences.Count; i++)
            {
                if (i == 0 || occurrences[i] != occurrences[i - 1])
                {
                    buckets[++d] = occurrences[i];
                }
                values[d] += scale;
            }
            return new SparseVector(buckets, values);
        }
    }
}
