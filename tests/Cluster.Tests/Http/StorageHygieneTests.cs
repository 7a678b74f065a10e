using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Cluster.Storage.Sqlite.Facts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cluster.Tests.Http;

/// <summary>File modes of the data directory, and stream row pruning bounding the database file, on real files.</summary>
public sealed class StorageHygieneTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    private const UnixFileMode World = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly List<SiloFactory> _factories = [];

    [Fact]
    public async Task A_new_data_directory_is_700_and_the_database_its_wal_and_shm_and_the_admin_token_are_600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var factory = Track(new SiloFactory(configureAdminToken: false));
        var admin = factory.CreateClient(); // starts the silo, which writes the token
        admin.As((await File.ReadAllTextAsync(Path.Combine(factory.DataDir, "admin.token"))).Trim());
        await admin.CreatePlatformAsync("modes"); // a committed write: the WAL holds frames

        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(factory.DataDir));
        foreach (var name in new[] { "cluster.db", "cluster.db-wal", "cluster.db-shm", "admin.token" })
        {
            var path = Path.Combine(factory.DataDir, name);
            Assert.True(File.Exists(path), name + " was not created");
            Assert.True(File.GetUnixFileMode(path) == Private, $"{name} is {File.GetUnixFileMode(path)}");
        }
    }

    [Fact]
    public async Task A_looser_existing_directory_and_files_are_tightened_at_start_and_the_log_names_them()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var parent = Track(new SiloFactory(configureAdminToken: false));
        Directory.CreateDirectory(parent.DataDir, World | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var db = Path.Combine(parent.DataDir, "cluster.db");
        var token = Path.Combine(parent.DataDir, "admin.token");
        await File.WriteAllBytesAsync(db, []); // an empty file is an empty database to SQLite
        await File.WriteAllTextAsync(token, "stale");
        File.SetUnixFileMode(db, World);
        File.SetUnixFileMode(token, World);
        var logs = new LogSink();
        var factory = parent.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));

        var admin = factory.CreateClient();
        admin.As((await File.ReadAllTextAsync(token)).Trim());
        await admin.CreatePlatformAsync("tight");

        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(parent.DataDir));
        Assert.Equal(Private, File.GetUnixFileMode(db));
        Assert.Equal(Private, File.GetUnixFileMode(db + "-wal")); // created after the tightening, from the db file's mode
        Assert.Equal(Private, File.GetUnixFileMode(db + "-shm"));
        Assert.Equal(Private, File.GetUnixFileMode(token));
        var tightened = logs.Messages.Where(m => m.EventId == 5051).Select(m => m.Text).ToList();
        Assert.Equal(3, tightened.Count);
        Assert.Contains(tightened, t => t.StartsWith(Path.GetFullPath(parent.DataDir) + " ", StringComparison.Ordinal));
        Assert.Contains(tightened, t => t.StartsWith(db + " ", StringComparison.Ordinal));
        Assert.Contains(tightened, t => t.StartsWith(token + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Storage:InboxRetention", "-00:00:01")]
    [InlineData("Orleans:SiloPort", "0")]
    [InlineData("Storage:PruneBatch", "0")]
    public void A_bad_storage_setting_stops_the_silo_naming_the_key(string key, string value)
    {
        var factory = Track(new SiloFactory()).WithWebHostBuilder(b => b.UseSetting(key, value));
        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Rounds of posts through HTTP with Storage:InboxRetention=0: a "posts" stream row is deleted when its delivery is
    /// acknowledged (the AccountGrain's effects durable). After every round the queue tables are empty again, their pages
    /// go to the free list and the next round reuses them, so from the second round on the file grows by the posts',
    /// decisions' and grain states' pages only, by about the same amount each round.
    /// </summary>
    [Fact]
    public async Task Soak_the_queues_empty_after_every_round_and_the_file_grows_flat_by_posts_and_decisions_only()
    {
        const int Rounds = 20, PostsPerRound = 1000;
        var parent = Track(new SiloFactory());
        var factory = parent.WithWebHostBuilder(b => b.UseSetting("Storage:InboxRetention", "00:00:00"));
        var admin = factory.CreateClient().As(SiloFactory.AdminToken);
        var platform = factory.CreateClient().As(await admin.CreatePlatformAsync("soak"));
        var db = Path.Combine(parent.DataDir, "cluster.db");
        string[] texts = ["今天天气不错，出去走走", "刷单返利，日赚五百", "加我微信 abc12345 了解详情", "周末一起打球吗？", "这家店的面很好吃"];

        var before = Measure(db);
        var rounds = new List<Stats>();
        var cursor = "0";
        for (var round = 0; round < Rounds; round++)
        {
            var lines = Enumerable.Range(0, PostsPerRound).Select(n =>
                JsonSerializer.Serialize(new { id = $"s-{round}-{n}", account = $"a-{n % 50}", text = texts[n % texts.Length] }));
            foreach (var chunk in lines.Chunk(250))
            {
                var response = await platform.PostNdjsonAsync("/v1/posts", chunk);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
            cursor = await ReadDecisionsAsync(platform, PostsPerRound, cursor);
            // Acknowledgements follow the decisions by one pulling-agent poll (50 ms); bounded wait, no timing asserted.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Measure(db).QueueRows > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"round {round + 1}: {Measure(db).QueueRows} stream rows still unacknowledged");
                await Task.Delay(50);
            }
            var after = Measure(db);
            rounds.Add(after);
            output.WriteLine($"round {round + 1}: {after.Pages} pages ({after.Pages * after.PageSize / 1024} KiB), "
                + $"{after.FreePages} free; db file {after.DbBytes / 1024} KiB, wal {after.WalBytes / 1024} KiB");
            Assert.True(after.WalBytes <= SqliteFactsStore.WalSizeLimit, $"WAL at {after.WalBytes} bytes");
        }

        var growth = rounds.Select((r, i) => r.Pages - (i == 0 ? before.Pages : rounds[i - 1].Pages)).ToList();
        output.WriteLine("pages added per round: " + string.Join(", ", growth));
        var later = growth.Skip(1).ToList();
        var tolerance = Math.Max(later.Average() / 10, 8); // B-tree page splits land in different rounds: not a trend
        var freedByFirstRound = Math.Max(rounds[0].FreePages, 1);
        var half = later.Count / 2;
        Assert.True(Math.Abs(later.Skip(half).Average() - later.Take(half).Average()) <= tolerance / 2,
            $"growth per round is not flat: {string.Join(", ", growth)}");
        Assert.All(later, g => Assert.True(g <= growth[0] + tolerance, $"a later round added {g} pages, more than the first ({string.Join(", ", growth)})"));
        Assert.All(rounds.Skip(1), r => Assert.InRange(r.FreePages, 0, 2 * freedByFirstRound + 2 * (long)tolerance));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var factory in _factories)
        {
            await factory.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
    }

    private SiloFactory Track(SiloFactory factory)
    {
        _factories.Add(factory);
        return factory;
    }

    /// <summary>Long-polls the feed (each read returns when decisions are committed) until <paramref name="count"/> arrived.</summary>
    private static async Task<string> ReadDecisionsAsync(HttpClient platform, int count, string after)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        for (var read = 0; read < count;)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {read} of {count} decisions arrived");
            var page = await (await platform.GetAsync($"/v1/decisions?after={after}&limit=1000&waitMs=30000")).Json();
            read += page["decisions"]!.AsArray().Count;
            after = page["next"]!.GetValue<string>();
        }
        return after;
    }

    /// <summary>The database as a reader sees it (pages include what is still in the WAL), and the files on disk.</summary>
    private static Stats Measure(string db)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var tx = c.BeginTransaction(); // one snapshot for all four numbers
        long Scalar(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.Transaction = tx;
            return (long)cmd.ExecuteScalar()!;
        }
        return new Stats(
            Scalar("SELECT COUNT(*) FROM stream_message"), Scalar("PRAGMA page_count"), Scalar("PRAGMA freelist_count"), Scalar("PRAGMA page_size"),
            new FileInfo(db).Length, File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0);
    }

    private sealed record Stats(long QueueRows, long Pages, long FreePages, long PageSize, long DbBytes, long WalBytes);

    private sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<(int EventId, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogSink sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Messages.Enqueue((eventId.Id, formatter(state, exception)));
        }
    }
}
