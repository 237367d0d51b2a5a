import SyncValue

enum Fixtures {
  static func deployment(_ name: String, namespace: String = "shop", replicas: Int64 = 2) -> Value {
    [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace), "labels": ["app": .string(name)],
      ],
      "spec": [
        "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
        "template": [
          "metadata": ["labels": ["app": .string(name)]],
          "spec": ["containers": [["name": .string(name), "image": "nginx:1.27"]]],
        ],
      ],
    ]
  }

  static func configMap(_ name: String, namespace: String = "shop", labels: Value = [:]) -> Value {
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
      "data": ["key": "value"],
    ]
  }

  /// A production-like List: a namespace, two deployments, a config map.
  static let production: [Value] = [
    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
    deployment("web"), deployment("worker", replicas: 1), configMap("settings"),
  ]

  static let widgetCRD: Value = [
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": ["name": "widgets.example.com"],
    "spec": [
      "group": "example.com", "scope": "Namespaced",
      "names": [
        "plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList",
        "shortNames": ["wd"],
      ],
      "versions": [
        [
          "name": "v1", "served": true, "storage": true,
          "schema": [
            "openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
          ],
        ]
      ],
    ],
  ]
}
