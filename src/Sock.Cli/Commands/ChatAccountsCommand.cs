using System.CommandLine;
using System.Text.Json;
using Sock.Chat.Accounts;

namespace Sock.Cli.Commands;

/// <summary>
/// `sock chat accounts list|add|passwd|drop|verify --db FILE`: the operator's view of the accounts a
/// server keeps in its --db file. Safe while the server runs on the same file: the store opens it in
/// WAL mode with a busy timeout, and the server reads the file on every login, so a change applies at once.
/// </summary>
internal static class ChatAccountsCommand
{
    public static Command Create()
    {
        var accounts = new Command("accounts", "Manage the accounts in a chat server's --db file (works while the server runs).");
        accounts.Subcommands.Add(List());
        accounts.Subcommands.Add(AddOrPasswd("add", "Create an account (verified)."));
        accounts.Subcommands.Add(AddOrPasswd("passwd", "Set an account's password."));
        accounts.Subcommands.Add(Simple("drop", "Delete an account.", (service, name) => service.Drop(name), "dropped"));
        accounts.Subcommands.Add(Simple("verify", "Mark an account verified (servers with --verify-accounts).", (service, name) => service.Verify(name), "verified"));
        accounts.WithExamples(
            "sock chat accounts list --db chat.db",
            "echo 's3cret pass' | sock chat accounts add alice --db chat.db",
            "sock chat accounts passwd alice --db chat.db     # prompts for the password",
            "sock chat accounts drop alice --db chat.db");
        return accounts;
    }

    private static Option<string> Db() => new("--db") { Description = "The server's SQLite file (its --db)", Required = true };

    private static Command List()
    {
        var db = Db();
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List the accounts: name, created, verified, certificates.") { db, json };
        cmd.SetHandler(parse =>
        {
            using var store = OpenExisting(parse.GetValue(db)!);
            var all = store.All();
            if (parse.GetValue(json)) { WriteJson(all); return CommandRunner.Ok; }
            var text = new System.Text.StringBuilder();
            foreach (var a in all)
                text.Append($"{a.Name}\t{a.Created:yyyy-MM-dd HH:mm:ss}Z\t{(a.Verified ? "verified" : "unverified")}\t{a.Certificates.Count} cert(s)\n");
            Output.WriteStdout(text.ToString());
            return CommandRunner.Ok;
        });
        return cmd;
    }

    private static Command AddOrPasswd(string verb, string description)
    {
        var db = Db();
        var json = CommonOptions.Json();
        var name = new Argument<string>("name") { Description = "Account name (also its nick)" };
        var iterations = new Option<int>("--iterations") { Description = "PBKDF2-SHA-256 iterations, like chat serve's --password-iterations", DefaultValueFactory = _ => PasswordVerifier.DefaultIterations };
        var minPassword = new Option<int>("--min-password") { Description = "Shortest password accepted", DefaultValueFactory = _ => new AccountOptions().MinPasswordLength };
        var cmd = new Command(verb, description + " The password is read from stdin (one line) or a prompt, never from the command line, where `ps` would show it.")
        {
            name, db, iterations, minPassword, json,
        };
        cmd.SetHandler(parse =>
        {
            if (parse.GetValue(iterations) < PasswordVerifier.MinimumIterations)
                throw new UsageException($"--iterations: at least {PasswordVerifier.MinimumIterations} (RFC 7677)");
            var path = parse.GetValue(db)!;
            using var store = verb == "add" ? Open(path) : OpenExisting(path);
            var service = new AccountService(store, new AccountOptions { Iterations = parse.GetValue(iterations), MinPasswordLength = Math.Max(1, parse.GetValue(minPassword)) });
            string? failure = null;
            service.Log += line => failure = line;
            var account = parse.GetValue(name)!;
            var password = ReadPassword();
            var result = verb == "add" ? service.Register(account, password, null, out _) : service.SetPassword(account, password);
            return Finish(parse, result, account, verb == "add" ? "created" : "password changed", path, failure);
        });
        return cmd;
    }

    private static Command Simple(string verb, string description, Func<AccountService, string, AccountResult> action, string done)
    {
        var db = Db();
        var json = CommonOptions.Json();
        var name = new Argument<string>("name") { Description = "Account name" };
        var cmd = new Command(verb, description) { name, db, json };
        cmd.SetHandler(parse =>
        {
            var path = parse.GetValue(db)!;
            using var store = OpenExisting(path);
            var service = new AccountService(store, new AccountOptions());
            string? failure = null;
            service.Log += line => failure = line;
            var account = parse.GetValue(name)!;
            return Finish(parse, action(service, account), account, done, path, failure);
        });
        return cmd;
    }

    /// <summary>Success is one line (or JSON); a refusal becomes an exception the runner words and exits on.</summary>
    private static int Finish(ParseResult parse, AccountResult result, string account, string done, string path, string? failure)
    {
        switch (result)
        {
            case AccountResult.Ok: break;
            case AccountResult.NoSuchAccount: throw new SockException($"no account named '{account}'");
            case AccountResult.Exists: throw new SockException($"account '{account}' already exists");
            case AccountResult.InvalidName: throw new UsageException($"'{account}' is not a valid account name (it must be a valid nick)");
            case AccountResult.WeakPassword: throw new UsageException($"password too short or too long (--min-password, at most {AccountService.MaxPasswordLength})");
            case AccountResult.Unavailable: throw new SockException($"account database {path}: {Reason(failure)} (nothing changed)");
            default: throw new SockException($"account database {path}: refused ({result})");
        }
        if (Output.JsonRequested(parse))
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("account", account);
                w.WriteString("result", done);
                w.WriteEndObject();
            }
            stdout.Write("\n"u8);
        }
        else
            Output.WriteStdout($"account {account}: {done}\n");
        return CommandRunner.Ok;
    }

    /// <summary>The store's own words from the service's log line ("account database: REASON (account operation refused)").</summary>
    private static string Reason(string? logged)
    {
        if (logged is null) return "the change was refused";
        const string prefix = "account database: ", suffix = " (account operation refused)";
        var reason = logged.StartsWith(prefix, StringComparison.Ordinal) ? logged[prefix.Length..] : logged;
        return reason.EndsWith(suffix, StringComparison.Ordinal) ? reason[..^suffix.Length] : reason;
    }

    private static SqliteAccountStore Open(string path) => SqliteAccountStore.Open(path);

    /// <summary>Only `add` may create the file: a mistyped --db for list/drop is an error, not a new empty database.</summary>
    private static SqliteAccountStore OpenExisting(string path) =>
        File.Exists(path) ? SqliteAccountStore.Open(path) : throw new SockException($"account database {path}: no such file");

    /// <summary>One line from stdin when it is redirected (scripts), else a prompt on the terminal without echo.</summary>
    private static string ReadPassword()
    {
        if (Console.IsInputRedirected)
        {
            var line = Console.In.ReadLine() ?? throw new UsageException("no password on stdin (give it as one line)");
            return line.TrimEnd('\r');
        }
        Console.Error.Write("Password: ");
        var first = ReadHidden();
        Console.Error.Write("Again: ");
        if (ReadHidden() != first) throw new UsageException("the two passwords differ");
        return first;
    }

    private static string ReadHidden()
    {
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; continue; }
            if (key.KeyChar != '\0') text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }

    private static void WriteJson(IReadOnlyList<Account> all)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var a in all)
            {
                w.WriteStartObject();
                w.WriteString("name", a.Name);
                w.WriteString("created", a.Created);
                w.WriteBoolean("verified", a.Verified);
                w.WriteNumber("iterations", a.Verifier.Iterations);
                w.WriteStartArray("certificates");
                foreach (var c in a.Certificates) w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.Write("\n"u8);
    }
}
