namespace Cluster.Screening.Matching;

/// <summary>Receives automaton matches; implemented by structs so matching neither allocates nor dispatches virtually.</summary>
internal interface IMatchSink
{
    void OnMatch(int pattern, int end);
}
