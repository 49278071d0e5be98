// "Did you mean …?" lives in NameSuggestions, shared with the kubeconfig reader; re-exported so
// that hosts which import the interpreter reach `Suggestions` as part of its diagnostics API.
@_exported import NameSuggestions
