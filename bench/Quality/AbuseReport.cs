namespace Cluster.Quality;

internal static class AbuseReport
{
    public static void Run() => Console.WriteLine("abuse: not yet");
}
