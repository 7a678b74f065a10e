namespace Cluster.Silo.Hosting;

/// <summary>
/// The data directory holds post text, personal data and the admin token: the directory is created 700 and its files
/// are 600. A directory or file left looser by an older version or by hand is tightened at start, and the log says so.
/// </summary>
internal static class DataDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The store's files and the token; other files an operator keeps there are left alone.</summary>
    private static readonly string[] Files = ["cluster.db", "cluster.db-wal", "cluster.db-shm", "cluster.db-journal", "admin.token"];

    /// <summary>Creates or tightens the directory and its known files; returns the directory's absolute path.</summary>
    public static string Prepare(string dataDir, ILogger logger)
    {
        var path = Path.GetFullPath(dataDir);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return path;
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode); // parents keep the usual mode; only this one holds data
        }
        Tighten(path, File.GetUnixFileMode(path), DirectoryMode, logger);
        foreach (var name in Files)
        {
            var file = Path.Combine(path, name);
            if (File.Exists(file))
            {
                Tighten(file, File.GetUnixFileMode(file), FileMode, logger);
            }
        }
        return path;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path, UnixFileMode mode, UnixFileMode allowed, ILogger logger)
    {
        if ((mode & ~allowed) == 0)
        {
            return;
        }
        File.SetUnixFileMode(path, mode & allowed);
        SiloLog.PermissionsTightened(logger, path, Convert.ToString((int)(mode & allowed), 8));
    }
}
