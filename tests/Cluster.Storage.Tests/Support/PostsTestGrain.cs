using Orleans.Streams;
using Orleans.Streams.Core;

namespace Cluster.Storage.Tests.Support;

/// <summary>
/// The consumer the contract is written against, shaped like the AccountGrain: implicit subscription to "posts",
/// state through the SQLite grain storage, dedupe by the last applied sequence token, and OnNextAsync returning only
/// after the state write is durable.
/// </summary>
[ImplicitStreamSubscription(TestCluster.Namespace)]
public sealed class PostsTestGrain(
    [PersistentState("applied", TestCluster.Provider)] IPersistentState<AppliedState> state) : Grain, IPostsTestGrain, IStreamSubscriptionObserver
{
    private readonly Guid _activation = Guid.NewGuid();

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<TestEvent>().ResumeAsync(OnNextAsync);

    public Task<AppliedView> ViewAsync() =>
        Task.FromResult(new AppliedView(state.State.Applied.ToList(), state.State.LastSeq, _activation, state.State.Counter));

    public async Task<int> IncrementAsync()
    {
        state.State.Counter++;
        await state.WriteStateAsync();
        return state.State.Counter;
    }

    private async Task OnNextAsync(TestEvent e, StreamSequenceToken? token)
    {
        var key = this.GetPrimaryKeyString();
        var probe = TestProbe.For(key);
        var seq = token!.SequenceNumber;
        if (seq <= state.State.LastSeq)
        {
            probe?.Duplicate();
            return;
        }
        if (probe?.FailBeforeWrite(key, e.Number) == true)
        {
            throw new InvalidOperationException($"test hook: delivery of {key} #{e.Number} fails");
        }
        state.State.Applied.Add(e.Number);
        state.State.LastSeq = seq;
        await state.WriteStateAsync();
        probe?.Applied(key, state.State.Applied.Count);
        if (probe?.FailAfterWrite(key, e.Number) == true)
        {
            // Durable but not acknowledged: the agent delivers it again and the dedupe mark must skip it.
            throw new InvalidOperationException($"test hook: {key} #{e.Number} written, acknowledgement lost");
        }
    }
}
