using System.Text;
using Cluster.Screening.Classifiers;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Screening.Tests.Classifiers;

public sealed class TextClassifierTests
{
    // Everyday characters without 坏, the word that marks the synthetic task's positive class.
    private const string Filler = "今天我们去公园玩很开心天气不错朋友一起吃饭看电影学习工作生活家里时间喜欢";

    // Default settings. With 400 texts the model memorized the filler bigrams and trigrams instead of learning
    // 坏 and the bias (held-out scores 0.37–0.55 on both sides); with 2,000 the 200 held-out texts below score
    // positives ≥ 0.595 and negatives ≤ 0.392.
    private static readonly Lazy<TextClassifier> Synthetic = new(() => TextClassifier.Train(SyntheticExamples(2_000, seed: 7)));

    [Fact]
    public void Learns_a_separable_task_and_scores_held_out_texts_on_the_right_side()
    {
        var model = Synthetic.Value;

        // A different seed draws texts the model never saw.
        foreach (var (text, label) in SyntheticExamples(200, seed: 8))
        {
            var score = model.Score(text);
            Assert.InRange(score, 0.0, 1.0);
            Assert.True(label ? score > 0.5 : score < 0.5, $"{text}: {score}");
        }
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var examples = SyntheticExamples(100, seed: 3);
        var a = TextClassifier.Train(examples, seed: 5);
        var b = TextClassifier.Train(examples, seed: 5);

        Assert.Equal(a.Bias, b.Bias);
        Assert.Equal(a.Score("今天坏天气"), b.Score("今天坏天气"));
    }

    [Fact]
    public void Save_and_load_give_bit_identical_scores()
    {
        var model = Synthetic.Value;
        using var stream = new MemoryStream();
        model.Save(stream);

        // 20-byte header + 2^18 four-byte weights.
        Assert.Equal(20 + 4 * TextClassifier.BucketCount, stream.Length);
        stream.Position = 0;
        var loaded = TextClassifier.Load(stream);

        Assert.Equal(model.Bias, loaded.Bias);
        foreach (var (text, _) in SyntheticExamples(50, seed: 9))
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(model.Score(text)), BitConverter.DoubleToInt64Bits(loaded.Score(text)));
        }
    }

    [Theory]
    [InlineData(0, (byte)'X')] // magic "CLTC" → "XLTC"
    [InlineData(4, (byte)2)] // format version 1 → 2
    public void Load_rejects_a_wrong_magic_or_version(int offset, byte value)
    {
        using var original = new MemoryStream();
        Synthetic.Value.Save(original);
        var bytes = original.ToArray();
        bytes[offset] = value;

        Assert.Throws<InvalidDataException>(() => TextClassifier.Load(new MemoryStream(bytes)));
    }

    [Fact]
    public void Load_rejects_a_truncated_stream()
    {
        using var original = new MemoryStream();
        Synthetic.Value.Save(original);

        Assert.Throws<InvalidDataException>(() => TextClassifier.Load(new MemoryStream(original.ToArray()[..1000])));
    }

    [Fact]
    public void Score_allocates_nothing()
    {
        var model = Synthetic.Value;
        const string text = "今天天气不错，我们去公园玩。坏人坏事 abc123";
        model.Score(text); // JIT and type initialization happen here

        var before = GC.GetAllocatedBytesForCurrentThread();
        var score = model.Score(text);
        var after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(0, after - before);
        Assert.InRange(score, 0.0, 1.0);
    }

    [Fact]
    public void Reads_quoted_fields_with_commas_doubled_quotes_and_line_breaks()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cold-{Guid.NewGuid():N}.csv");
        const string csv = ",split,topic,label,fine-grained-label,TEXT\n"
            + "7,test,race,1,2,\"他说，\"\"你好\"\", 然后\n走了\"\n"
            + "8,test,gender,0,3,plain text\r\n"
            + "9,test,region,1,1,\"\"\n";
        File.WriteAllText(path, csv, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            var examples = ColdDataset.Read(path);

            Assert.Equal(
                [
                    new ColdExample("他说，\"你好\", 然后\n走了", true, "race", 2),
                    new ColdExample("plain text", false, "gender", 3),
                    new ColdExample("", true, "region", 1),
                ],
                examples);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reads_the_cold_splits_with_the_published_counts()
    {
        var train = ColdDataset.Read(SharedData.PathOf("offensive/cold_train.csv"));
        var test = ColdDataset.Read(SharedData.PathOf("offensive/cold_test.csv"));

        // shared/data/README.md: train 25,726 (12,723 offensive); test 5,323, fine-grained 2,548 / 288 / 1,819 / 668.
        Assert.Equal(25_726, train.Count);
        Assert.Equal(12_723, train.Count(e => e.Offensive));
        Assert.All(train, e => Assert.Null(e.FineGrained));
        Assert.Equal(5_323, test.Count);
        Assert.Equal([2_548, 288, 1_819, 668], Enumerable.Range(0, 4).Select(l => test.Count(e => e.FineGrained == l)));
    }

    [Fact]
    public void Trained_on_cold_train_it_classifies_cold_dev_above_the_measured_floor()
    {
        var train = ColdDataset.Read(SharedData.PathOf("offensive/cold_train.csv"));
        var dev = ColdDataset.Read(SharedData.PathOf("offensive/cold_dev.csv"));
        var model = TextClassifier.Train(train.Select(e => (MatchView.Build(e.Text), e.Offensive)).ToList());

        var correct = dev.Count(e => model.Score(MatchView.Build(e.Text)) >= 0.5 == e.Offensive);
        var accuracy = (double)correct / dev.Count;

        // Measured 0.894 at threshold 0.5 (seed 1, 5 epochs, learning rate 0.1); the floor leaves room for changes
        // to normalization and hashing without letting a broken trainer (0.5, chance) pass.
        Assert.True(accuracy >= 0.85, $"dev accuracy {accuracy:0.0000}");
    }

    /// <summary>Random filler texts of 6–20 chars; every other one carries 坏 at a random place and is positive.</summary>
    private static List<(string Text, bool Label)> SyntheticExamples(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<(string, bool)>(count);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Clear();
            var length = random.Next(6, 21);
            for (var c = 0; c < length; c++)
            {
                text.Append(Filler[random.Next(Filler.Length)]);
            }
            var positive = i % 2 == 0;
            if (positive)
            {
                text.Insert(random.Next(text.Length + 1), '坏');
            }
            examples.Add((text.ToString(), positive));
        }
        return examples;
    }
}
