using Cluster.Grains.Accounts;
using Cluster.Grains.Storage;

namespace Cluster.Grains.Tests.Accounts;

public sealed class AccountStateTests
{
    /// <summary>A row the partition runtime of earlier builds stored (V1, no dedupe marks), as grain storage reads it.</summary>
    [Fact]
    public void A_version_1_row_reads_with_empty_marks()
    {
        var json = """{"v":1,"posts":2,"violations":1,"strikes":1,"status":"warned","risk":[0.8],"categoryHits":{"fraud":1}}"""u8.ToArray();

        var state = new GrainStateJson().Deserialize<AccountState>(new BinaryData(json));

        Assert.Equal(1, state.V);
        Assert.Equal(2, state.Posts);
        Assert.Equal(1, state.Strikes);
        Assert.Equal("warned", state.Status);
        Assert.Equal(0, state.LastSeq);
        Assert.Empty(state.RecentPosts);
        Assert.Empty(state.RecentVerdicts);
    }

    [Fact]
    public void A_written_state_reads_back_with_its_marks()
    {
        var written = new AccountState { Posts = 3, LastSeq = 42, RecentPosts = ["1:p-1", "2:p-1"], RecentVerdicts = ["r_x"] };
        var json = new GrainStateJson();

        var state = json.Deserialize<AccountState>(json.Serialize(written));

        Assert.Equal(AccountState.CurrentV, state.V);
        Assert.Equal(42, state.LastSeq);
        Assert.Equal(["1:p-1", "2:p-1"], state.RecentPosts);
        Assert.Equal(["r_x"], state.RecentVerdicts);
    }
}
