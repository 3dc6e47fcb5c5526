using Rce.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRceFunctions();
var app = builder.Build();
app.UseRceFunctions();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
