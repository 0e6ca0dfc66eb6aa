using System;

namespace ExpressHa.Client
{
    /// <summary>A failed API call: the HTTP status (0 when no answer came) and the API's stable code and message.</summary>
    public sealed class HaApiException : Exception
    {
        public HaApiException(int statusCode, string code, string message, Exception? inner = null) : base(message, inner)
        {
            StatusCode = statusCode;
            Code = code;
        }

        public int StatusCode { get; }
        /// <summary>A stable id of <see cref="Api.ErrorCodes"/>: ExpressHa.GroupNotFound, ExpressHa.Unauthorized, ExpressHa.CertificateNotTrusted...</summary>
        public string Code { get; }
        /// <summary>The fingerprint the server presented, when the call failed on certificate pinning.</summary>
        public string? ServerFingerprint { get; set; }
        /// <summary>The decoded body of a failed config push (validation errors, refusals), when there was one.</summary>
        public Api.ConfigPushResult? PushResult { get; set; }

        public bool IsNotFound => StatusCode == 404;
    }
}
