using Cluster.Ingest.Posts;
using Cluster.Silo.Accounts;
using Cluster.Silo.Admin;
using Cluster.Silo.Decisions;
using Cluster.Silo.Hosting;
using Cluster.Silo.Operations;
using Cluster.Silo.Review;

// appsettings.json ships next to the binary; load it from there whatever the working directory is.
// Relative paths in settings (Silo:DataDir) still resolve against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseDefaultUrl();
builder.Services.AddSiloOptions(builder.Configuration);
builder.AddOrleansSilo();
builder.Services
    .AddIngest()
    .AddBearerAuth()
    .AddSiloServices();

var app = builder.Build();
app.ActivateObservers();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapOperations();
app.MapPosts();
app.MapDecisions();
app.MapAccounts();
app.MapReview();
app.MapAdmin();

app.Run();

/// <summary>Entry point, public so tests can host the silo with WebApplicationFactory.</summary>
public partial class Program;
