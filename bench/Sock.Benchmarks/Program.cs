using BenchmarkDotNet.Running;

// `bench/micro.sh` (or `dotnet run -c Release --project bench/Sock.Benchmarks -- --filter '*'`).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
