using Sock.Fuzz;

// Sock.Fuzz HARNESS            under afl-fuzz (fuzz/run): SharpFuzz's fork server feeds inputs.
// Sock.Fuzz HARNESS FILE...    replays inputs once each without AFL; a finding prints its exception.
// Sock.Fuzz --list             the harness names, one a line.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Sock.Fuzz HARNESS [INPUT...] | --list   (see fuzz/README.md)");
    return args.Length == 0 ? 2 : 0;
}
if (args[0] == "--list")
{
    foreach (var h in Harnesses.All) Console.WriteLine($"{h.Name}\t{h.Description}");
    return 0;
}
var harness = Harnesses.Find(args[0]);
if (harness is null)
{
    Console.Error.WriteLine($"Sock.Fuzz: no harness '{args[0]}' (--list names them)");
    return 2;
}
if (args.Length > 1)
{
    var failed = 0;
    foreach (var file in args[1..])
    {
        try
        {
            harness.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.Error.WriteLine($"{file}: {e}");
        }
    }
    Console.Error.WriteLine($"Sock.Fuzz {harness.Name}: {args.Length - 1 - failed} inputs ok, {failed} findings");
    return failed == 0 ? 0 : 1;
}
// Out of process: a stack overflow or a runaway input restarts the child instead of ending the run.
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    harness.Run(copy.ToArray());
});
return 0;
