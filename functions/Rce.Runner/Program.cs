using Rce.Runner.Api;
using Rce.Runner.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRceRunner();

var app = builder.Build();
app.UseRceRunner();
app.MapRunnerEndpoints();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
