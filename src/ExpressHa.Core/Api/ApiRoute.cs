using System;
using System.Text;

namespace ExpressHa.Api
{
    /// <summary>One route of the management API: its HTTP method and its template ("v1/groups/{name}/start"). The
    /// service maps <see cref="Pattern"/>; clients build the concrete path with <see cref="Path"/>.</summary>
    public sealed class ApiRoute
    {
        public ApiRoute(string method, string template)
        {
            Method = method ?? throw new ArgumentNullException(nameof(method));
            Template = template ?? throw new ArgumentNullException(nameof(template));
        }

        /// <summary>GET, POST or DELETE.</summary>
        public string Method { get; }
        /// <summary>Relative to the API's base address, with {placeholders}: "v1/mirrors/{name}/repair".</summary>
        public string Template { get; }
        /// <summary>The template as ASP.NET Core maps it: "/v1/mirrors/{name}/repair".</summary>
        public string Pattern => "/" + Template;
        /// <summary>A node-to-node route: it takes the cluster credential, never an API token.</summary>
        public bool IsNodeToNode => ApiRoutes.IsNodeToNode(Template);

        /// <summary>The concrete relative path: each {placeholder} in turn replaced by the next value, escaped.</summary>
        /// <exception cref="ArgumentException">more or fewer values than placeholders.</exception>
        public string Path(params string[] values)
        {
            var sb = new StringBuilder(Template.Length + 16);
            var used = 0;
            for (var i = 0; i < Template.Length; i++)
            {
                if (Template[i] != '{') { sb.Append(Template[i]); continue; }
                var end = Template.IndexOf('}', i);
                if (used >= values.Length) throw new ArgumentException($"{this} needs a value for {Template.Substring(i, end - i + 1)}", nameof(values));
                sb.Append(Uri.EscapeDataString(values[used++] ?? throw new ArgumentNullException(nameof(values))));
                i = end;
            }
            if (used != values.Length) throw new ArgumentException($"{this} takes {used} values, not {values.Length}", nameof(values));
            return sb.ToString();
        }

        public override string ToString() => Method + " " + Pattern;
    }
}
