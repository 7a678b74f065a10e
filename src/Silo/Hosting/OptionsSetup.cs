using Cluster.Ingest;

namespace Cluster.Silo.Hosting;

/// <summary>Binds and validates option classes at start; a bad value stops the silo with the key to fix.</summary>
internal static class OptionsSetup
{
    public static IServiceCollection AddSiloOptions(this IServiceCollection services, IConfiguration configuration)
    {
        var silo = Bind<SiloOptions>(configuration, "Silo", o => o.Validate());
        var orleans = Bind<OrleansOptions>(configuration, "Orleans", o => o.Validate());
        var storage = Bind<StorageOptions>(configuration, "Storage", o => o.Validate());
        var ingest = Bind<IngestOptions>(configuration, "Ingest", o => o.Validate());
        var screening = Bind<ScreeningOptions>(configuration, "Screening", o => o.Validate());
        return services.AddSingleton(silo).AddSingleton(orleans).AddSingleton(storage).AddSingleton(ingest).AddSingleton(screening);
    }

    public static T Bind<T>(IConfiguration configuration, string section, Func<T, string?> validate)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        var error = validate(options);
        return error is null ? options : throw new InvalidOperationException("Invalid configuration: " + error);
    }
}
