namespace Cluster.Storage.Tests.Support;

public interface IPostsTestGrain : IGrainWithStringKey
{
    Task<AppliedView> ViewAsync();

    Task<int> IncrementAsync();
}
