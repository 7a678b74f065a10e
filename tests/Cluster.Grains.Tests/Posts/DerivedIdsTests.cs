using Cluster.Grains.Posts;

namespace Cluster.Grains.Tests.Posts;

/// <summary>
/// Derived ids are part of the stored format: a replay must produce the id already stored, whatever build wrote it.
/// The expected values are SHA-256 of the length-prefixed UTF-8 parts, truncated to 128 bits, in lower-case RFC 4648
/// base32 without padding, computed outside this code.
/// </summary>
public sealed class DerivedIdsTests
{
    [Fact]
    public void Ids_are_the_stored_format()
    {
        Assert.Equal("d_sjcxh3kfs7pzli2fro54lxyldu", DerivedIds.MachineDecision("demo", "p-1", 1));
        Assert.Equal("r_treb3xrxscpippmsxaf67q33ly", DerivedIds.ReviewItem("a", "帖子-9", 12));
        Assert.Equal("d_6ybztizffnpaaf7sciz6ewk7yy", DerivedIds.HumanDecision("demo", "p-1", 2, "r_x"));
        Assert.Equal("d_djjej6nbwgf4s54tmuogyyj4qe", DerivedIds.MachineDecision("demo", new string('x', 300), 1));
    }

    [Fact]
    public void Each_part_is_length_prefixed_so_moving_a_boundary_changes_the_id()
    {
        Assert.NotEqual(DerivedIds.MachineDecision("ab", "c", 1), DerivedIds.MachineDecision("a", "bc", 1));
        Assert.NotEqual(DerivedIds.MachineDecision("demo", "p-1", 1), DerivedIds.ReviewItem("demo", "p-1", 1));
    }
}
