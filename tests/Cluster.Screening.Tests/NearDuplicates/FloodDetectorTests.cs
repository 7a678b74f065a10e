using Cluster.Screening.NearDuplicates;
using Microsoft.Extensions.Time.Testing;

namespace Cluster.Screening.Tests.NearDuplicates;

public sealed class FloodDetectorTests
{
    private const ulong Spam = 0x9E37_79B9_7F4A_7C15;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Counts_near_duplicates_including_the_observed_one()
    {
        var detector = new FloodDetector(_time, Window, threshold: 3, capacity: 100);

        Assert.Equal(1, detector.Observe(Spam));
        Assert.Equal(2, detector.Observe(Spam));
        Assert.Equal(3, detector.Observe(Spam ^ 0b11));            // 2 bits from the first two
        Assert.Equal(1, detector.Observe(~Spam));                  // unrelated
        Assert.Equal(1, detector.Observe(Spam ^ (0xFUL << 20)));   // 4 bits from Spam, 6 from Spam ^ 0b11
        Assert.Equal(4, detector.Observe(Spam ^ 0b1));             // 1 bit from Spam and from Spam ^ 0b11
        Assert.Equal(6, detector.Count);
    }

    [Fact]
    public void IsFlood_compares_with_the_threshold()
    {
        var detector = new FloodDetector(_time, Window, threshold: 3, capacity: 100);

        Assert.False(detector.IsFlood(detector.Observe(Spam)));
        Assert.False(detector.IsFlood(detector.Observe(Spam)));
        Assert.True(detector.IsFlood(detector.Observe(Spam)));
        Assert.True(detector.IsFlood(detector.Observe(Spam)));
    }

    [Fact]
    public void Forgets_observations_once_they_are_a_window_old()
    {
        var detector = new FloodDetector(_time, Window, threshold: 3, capacity: 100);
        detector.Observe(Spam);
        detector.Observe(Spam ^ 1);
        detector.Observe(Spam);

        _time.Advance(Window - TimeSpan.FromSeconds(1));
        Assert.Equal(4, detector.Observe(Spam));

        _time.Advance(TimeSpan.FromSeconds(1)); // the first three are now exactly a window old
        Assert.Equal(2, detector.Observe(Spam ^ 1));
        Assert.Equal(2, detector.Count);

        _time.Advance(Window);
        Assert.Equal(1, detector.Observe(Spam));
        Assert.Equal(1, detector.Count);
    }

    [Fact]
    public void Never_retains_more_than_capacity_of_one_repeated_fingerprint()
    {
        var detector = new FloodDetector(_time, Window, threshold: 3, capacity: 5);

        var counts = Enumerable.Range(0, 12).Select(_ => detector.Observe(Spam)).ToArray();

        Assert.Equal([1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5], counts);
        Assert.Equal(5, detector.Count);
    }

    [Fact]
    public void Never_retains_more_than_capacity_of_distinct_fingerprints_and_evicts_the_oldest()
    {
        var random = new Random(11);
        var detector = new FloodDetector(_time, Window, threshold: 3, capacity: 16);
        var observed = new List<ulong>();
        for (var i = 0; i < 1_000; i++)
        {
            var fingerprint = SimHashIndexTests.NextUInt64(random);
            observed.Add(fingerprint);
            Assert.Equal(1, detector.Observe(fingerprint));
            Assert.True(detector.Count <= 16);
        }
        Assert.Equal(16, detector.Count);

        // Observing again evicts one more: observed[^17] was evicted long ago, observed[^10] is still held.
        Assert.Equal(1, detector.Observe(observed[^17]));
        Assert.Equal(2, detector.Observe(observed[^10]));
        Assert.Equal(16, detector.Count);
    }

    [Fact]
    public void Near_duplicate_floods_are_counted_across_variants()
    {
        var random = new Random(12);
        var detector = new FloodDetector(_time, Window, threshold: 50, capacity: 64);
        var last = 0;
        for (var i = 0; i < 100; i++)
        {
            // Variants within 1 bit of Spam are within 2 bits of each other.
            last = detector.Observe(SimHashIndexTests.FlipBits(Spam, i % 2, random));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(64, last);
        Assert.True(detector.IsFlood(last));
    }

    [Fact]
    public void Rejects_invalid_settings()
    {
        Assert.Throws<ArgumentNullException>(() => new FloodDetector(null!, Window, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloodDetector(_time, TimeSpan.Zero, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloodDetector(_time, Window, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloodDetector(_time, Window, 1, 0));
    }
}
