using Cluster.Storage.Streams;
using Cluster.Storage.Tests.Support;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Streams;

public sealed class QueueMapperTests
{
    [Fact]
    public void The_queue_of_a_stream_is_a_fixed_function_of_its_key()
    {
        // Part of the stored format: these values must never change (XxHash32, seed 0, of the UTF-8 key, mod 128).
        // Reference values computed from the xxHash specification, independently of System.IO.Hashing.
        Assert.Equal(92, StreamQueueMapper.QueueOf("p1/a1"u8, 128));
        Assert.Equal(61, StreamQueueMapper.QueueOf("weibo/u123456"u8, 128));
        Assert.Equal(90, StreamQueueMapper.QueueOf("douyin/9f8e7d6c5b4a39281716"u8, 128));
        var mapper = new StreamQueueMapper(TestCluster.Provider, 128);
        var used = Enumerable.Range(0, 20_000).Select(i => mapper.QueueOf(StreamId.Create(TestCluster.Namespace, $"platform/acct{i}"))).ToHashSet();
        Assert.Equal(128, used.Count);
        Assert.Equal(128, mapper.GetAllQueues().Select(q => q.GetNumericId()).Distinct().Count());
        Assert.Equal(mapper.GetQueueForStream(StreamId.Create("other", "p1/a1")), mapper.GetQueueForStream(StreamId.Create(TestCluster.Namespace, "p1/a1")));
    }
}
