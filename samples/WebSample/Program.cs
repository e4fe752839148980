// GenRec's endpoints inside an ASP.NET Core app of your own:
//   dotnet run --project samples/WebSample -- --GenRec:Checkpoint=runs/quickstart/best.ckpt
//   curl -X POST localhost:5000/recs/recommend -H 'Content-Type: application/json' -d '{"user": "1", "k": 5}'
using GenRec.AspNetCore;

// Restart once under jemalloc where it is installed (see the console sample); returns at once where it does not apply.
GenRec.JemallocRelaunch.IfAvailable();

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGenRec(options => builder.Configuration.GetSection("GenRec").Bind(options));
var app = builder.Build();
app.MapGet("/", () => "GenRec sample: POST /recs/recommend, /recs/rank; GET /recs/health");
app.MapGenRec("/recs");
app.Run();
