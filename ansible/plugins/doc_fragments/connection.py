# The connection options every module of the collection shares (the API endpoints, the token, pwsh and the module).

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  endpoints:
    description: API endpoints of the cluster's nodes, tried in order until one answers.
    type: list
    elements: dict
    suboptions:
      url:
        description: C(https://ADDRESS:PORT) of a node's management API.
        type: str
        required: true
      fingerprint:
        description: SHA-256 fingerprint of that node's API certificate (C(expresshad api-fingerprint)).
        type: str
  token:
    description: The operator API token (keep it in a vault). Never logged.
    type: str
  token_file:
    description: A file holding the API token, instead of I(token).
    type: path
  pwsh:
    description: The pwsh command line; default C($EXPRESSHA_PWSH), else C(pwsh).
    type: str
  module_path:
    description: The ExpressHa module (a name or a C(.psd1) path); default C($EXPRESSHA_MODULE_PATH), else C(ExpressHa).
    type: str
  timeout:
    description: Seconds pwsh may take (the whole operation, waits included).
    type: int
    default: 120
'''
