using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL server for the tests: initdb into a fresh temporary directory, postgres on a free port of
/// 127.0.0.1 only (unix socket in the same directory, fsync on), stopped and deleted at the end. initdb refuses to run
/// as root, so under root (CI) the directory is given to the <c>postgres</c> OS user and the server runs as that user.
/// The binaries are looked up in $POSTGRES_BIN, on PATH, then in the Debian package's directory; without them every
/// test of the collection fails with the message of <see cref="FindBinaries"/>.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string OsUser = "postgres";
    private readonly string _bin;
    private readonly string _root;
    private readonly string _data;
    private readonly string _sockets;
    private readonly bool _asRoot;
    private int _databases;
    private bool _running;

    public PostgresServer()
    {
        _bin = FindBinaries();
        _asRoot = Environment.UserName == "root";
        _root = Path.Combine(Path.GetTempPath(), $"cluster-pg-{Guid.NewGuid():N}");
        _data = Path.Combine(_root, "data");
        _sockets = Path.Combine(_root, "sock");
        Directory.CreateDirectory(_sockets);
        if (_asRoot)
        {
            Run("chown", "-R", $"{OsUser}:{OsUser}", _root);
        }
        Port = FreePort();
        RunAsServerUser(Path.Combine(_bin, "initdb"), "-D", _data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
        Start();
    }

    public int Port { get; }

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    /// <summary>Creates an empty database and returns a connection string to it; every test gets its own.</summary>
    public string CreateDatabase()
    {
        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24];
        using var c = new NpgsqlConnection(AdminConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        cmd.ExecuteNonQuery();
        return ConnectionString(name);
    }

    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        using var c = new NpgsqlConnection(AdminConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Starts the server (again) on the same port and data directory; returns once it accepts connections.</summary>
    public void Start()
    {
        RunAsServerUser(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_sockets} -c fsync=on -c max_connections=300",
            "start");
        _running = true;
    }

    /// <summary>
    /// Stops the server with pg_ctl's <paramref name="mode"/>: "fast" (sessions terminated, a clean shutdown) or
    /// "immediate" (no shutdown checkpoint: recovery at the next start, as after a crash); returns once it is down.
    /// </summary>
    public void Stop(string mode)
    {
        RunAsServerUser(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", mode, "-w", "-t", "60", "stop");
        _running = false;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (_running)
            {
                RunAsServerUser(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    // A small pool per silo: the tests start several silos against one server.
    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size=20;Include Error Detail=true";

    private static string FindBinaries()
    {
        static bool Has(string? dir) => dir is not null && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
        var configured = Environment.GetEnvironmentVariable("POSTGRES_BIN");
        if (Has(configured))
        {
            return configured!;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (Has(dir))
            {
                return dir;
            }
        }
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => Has(d.Dir))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return newest.Dir;
            }
        }
        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in $POSTGRES_BIN, on PATH or under /usr/lib/postgresql/<version>/bin. " +
            "Install them (Debian: apt-get install -y postgresql; .ci/run does) or set POSTGRES_BIN to their directory.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void RunAsServerUser(string program, params string[] args)
    {
        if (_asRoot)
        {
            Run("runuser", ["-u", OsUser, "--", program, .. args]);
        }
        else
        {
            Run(program, args);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} did not finish within 120 s");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {p.ExitCode}: {stderr.Result}{stdout.Result}");
        }
    }
}
