using Microsoft.Extensions.Logging;

namespace Cluster.Silo.Hosting;

/// <summary>Silo log messages (event ids 5000–5099). Paths and ids only: never tokens, post text or personal data.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(5000, LogLevel.Information, "Embedded store at {Path}")]
    public static partial void Store(ILogger logger, string path);

    [LoggerMessage(5001, LogLevel.Warning, "Created an admin token; it is in {Path} (readable by this user only)")]
    public static partial void AdminTokenCreated(ILogger logger, string path);

    [LoggerMessage(5002, LogLevel.Information, "Lexicons loaded: {Lexicons} lists, {Terms} terms")]
    public static partial void LexiconsLoaded(ILogger logger, int lexicons, int terms);

    [LoggerMessage(5003, LogLevel.Information, "Ingest open")]
    public static partial void IngestOpen(ILogger logger);

    [LoggerMessage(5004, LogLevel.Information, "Shutting down: ingest closed, draining")]
    public static partial void Draining(ILogger logger);

    [LoggerMessage(5005, LogLevel.Information, "Lexicon {Name} is now version {Version} with {Terms} terms")]
    public static partial void LexiconUpdated(ILogger logger, string name, long version, int terms);

    [LoggerMessage(5006, LogLevel.Information, "Rumor library loaded: {Rumors} rumors")]
    public static partial void RumorsLoaded(ILogger logger, int rumors);

    [LoggerMessage(5007, LogLevel.Information, "Rumor {RumorId} added; the library has {Rumors} rumors")]
    public static partial void RumorAdded(ILogger logger, string rumorId, int rumors);

    [LoggerMessage(5008, LogLevel.Information, "Drained: every posts stream row stored before the drain is delivered and its effects are durable")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(5009, LogLevel.Warning, "Shutdown timeout: {Rows} posts stream rows not yet delivered; they stay stored and are delivered by the next reader of their queue")]
    public static partial void DrainTimedOut(ILogger logger, long rows);

    [LoggerMessage(5010, LogLevel.Information, "Cluster mode: membership, streams, grain state and facts in PostgreSQL {Database} (Kubernetes hosting: {Kubernetes})")]
    public static partial void ClusterStore(ILogger logger, string database, bool kubernetes);

    [LoggerMessage(5011, LogLevel.Information, "Azure Storage mode: membership, streams and grain state in storage account {Account}, facts in PostgreSQL {Database} (Kubernetes hosting: {Kubernetes})")]
    public static partial void AzureStore(ILogger logger, string account, string database, bool kubernetes);

    [LoggerMessage(5014, LogLevel.Information, "Lexicon {Name} is now version {Version} with {Terms} terms (stored by another silo)")]
    public static partial void LexiconSynced(ILogger logger, string name, long version, int terms);

    [LoggerMessage(5015, LogLevel.Information, "Rumor library reloaded: {Rumors} rumors (added by another silo)")]
    public static partial void RumorsSynced(ILogger logger, int rumors);

    [LoggerMessage(5016, LogLevel.Warning, "Could not check the store for policy, lexicon or rumor changes; retrying")]
    public static partial void AdminSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(5050, LogLevel.Information, "Data directory {Path}")]
    public static partial void DataDirectory(ILogger logger, string path);

    [LoggerMessage(5051, LogLevel.Warning, "{Path} was accessible to other users; its mode is now {Mode}")]
    public static partial void PermissionsTightened(ILogger logger, string path, string mode);
}
