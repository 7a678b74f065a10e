using Orleans.Streams;

namespace Cluster.Storage.Tests.Support;

/// <summary>Polls a queue receiver the way Orleans' pulling agent does, one read of up to 100 messages at a time.</summary>
internal static class ReceiverPolls
{
    public static Task<IList<IBatchContainer>> Poll(IQueueAdapterReceiver receiver) => receiver.GetQueueMessagesAsync(100, CancellationToken.None);

    /// <summary>Polls every 20 ms until a read returns messages; fails with <paramref name="what"/> after 10 s.</summary>
    public static async Task<IList<IBatchContainer>> UntilRead(IQueueAdapterReceiver receiver, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var read = await Poll(receiver);
            if (read.Count > 0)
            {
                return read;
            }
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(20);
        }
    }
}
