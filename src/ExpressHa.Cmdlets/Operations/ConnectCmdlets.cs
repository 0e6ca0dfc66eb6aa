using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>Connects the session to a cluster's management API; later cmdlets use this connection.</summary>
    [Cmdlet(VerbsCommunications.Connect, "HaCluster", DefaultParameterSetName = TokenFileSet)]
    [OutputType(typeof(HaConnection))]
    public sealed class ConnectHaClusterCommand : OperationCmdlet
    {
        const string TokenSet = "Token";
        const string TokenFileSet = "TokenFile";
        public const int DefaultPort = 29003;

        /// <summary>https://node:29003 (a bare host or host:port means https; plain http only to loopback).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Endpoint { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
        public SecureString Token { get; set; } = null!;

        [Parameter(Mandatory = true, ParameterSetName = TokenFileSet)]
        [ValidateNotNullOrEmpty]
        public string TokenFile { get; set; } = "";

        /// <summary>SHA-256 of the node's API certificate (64 hex digits, ':' allowed). Required for HTTPS.</summary>
        [Parameter]
        [Alias("Fingerprint")]
        public string? CertificateFingerprint { get; set; }

        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var uri = ParseEndpoint(Endpoint);
            var token = ParameterSetName == TokenSet ? Plain(Token) : ReadTokenFile();
            if (string.IsNullOrEmpty(token))
                ThrowTerminatingError(HaCmdletException.BadArgument(ParameterSetName, "the token is empty").ToErrorRecord());
            if (CertificateFingerprint != null && Client.CertificateFingerprint.Normalize(CertificateFingerprint) == null)
                ThrowTerminatingError(HaCmdletException.BadArgument("CertificateFingerprint",
                    $"'{CertificateFingerprint}' is not a SHA-256 fingerprint (64 hex digits, ':' separators allowed)").ToErrorRecord());
            if (uri.Scheme == "http" && CertificateFingerprint != null)
                ThrowTerminatingError(HaCmdletException.BadArgument("CertificateFingerprint", "a fingerprint pins an HTTPS certificate; the endpoint is plain http://").ToErrorRecord());

            HaApiClient client;
            try
            {
                client = new HaApiClient(uri, token, CertificateFingerprint);
            }
            catch (HaApiException ex)
            {
                ThrowTerminatingError(new HaCmdletException(HaOperationErrorIds.ConnectionFailed, ErrorCategory.SecurityError, ex.Message, Endpoint).ToErrorRecord());
                return;
            }
            var connection = new HaConnection(client, "", "");
            Api.ClusterStatus status;
            try
            {
                status = LiveCall.Invoke(connection, CancelToken, (c, ct) => c.GetStatusAsync(ct), Endpoint);
            }
            catch (HaCmdletException ex)
            {
                client.Dispose();
                var record = ex.ToErrorRecord();
                ThrowTerminatingError(record);
                return;
            }
            connection = new HaConnection(client, status.ClusterName, status.ReportingNode);
            HaSession.Connection = connection;
            WriteVerbose($"Connected to cluster '{status.ClusterName}' through {status.ReportingNode} at {client.Endpoint}.");
            if (PassThru) WriteObject(connection);
        }

        Uri ParseEndpoint(string text)
        {
            var t = text.Trim();
            if (!t.Contains("://")) t = "https://" + t;
            if (!Uri.TryCreate(t, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http") || string.IsNullOrEmpty(uri.Host))
            {
                ThrowTerminatingError(HaCmdletException.BadArgument("Endpoint", $"'{text}' is not a URL such as https://server1:{DefaultPort}").ToErrorRecord());
                throw new InvalidOperationException("unreachable");
            }
            if (uri.IsDefaultPort && !text.Contains(":" + uri.Port)) uri = new UriBuilder(uri) { Port = DefaultPort }.Uri;
            if (uri.Scheme == "http" && !uri.IsLoopback)
                ThrowTerminatingError(HaCmdletException.BadArgument("Endpoint",
                    $"plain http:// is allowed only to a loopback address (the token would cross the network in clear); use https://{uri.Host}:{uri.Port} with -CertificateFingerprint").ToErrorRecord());
            return uri;
        }

        string ReadTokenFile()
        {
            var path = GetUnresolvedProviderPathFromPSPath(TokenFile);
            try
            {
                return File.ReadAllText(path).Trim();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.ReadError,
                    $"-TokenFile: cannot read '{path}': {ex.Message}", TokenFile, terminating: true).ToErrorRecord());
                return "";
            }
        }

        static string Plain(SecureString s)
        {
            var p = IntPtr.Zero;
            try
            {
                p = Marshal.SecureStringToGlobalAllocUnicode(s);
                return (Marshal.PtrToStringUni(p) ?? "").Trim();
            }
            finally
            {
                if (p != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(p);
            }
        }
    }

    /// <summary>Forgets the session's connection.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "HaCluster")]
    [OutputType(typeof(void))]
    public sealed class DisconnectHaClusterCommand : PSCmdlet
    {
        protected override void ProcessRecord()
        {
            var c = HaSession.Connection;
            if (c == null)
            {
                WriteVerbose("The session is not connected to a cluster.");
                return;
            }
            HaSession.Connection = null;
            WriteVerbose($"Disconnected from cluster '{c.ClusterName}' ({c.Endpoint}).");
        }
    }
}
