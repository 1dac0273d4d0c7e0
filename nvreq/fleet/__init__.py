"""Many hosts at once: the scheduler API, fleet inputs, node labels and Kubernetes affinity."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.fleet.core import (
        Fleet as Fleet,
    )
    from nvreq.fleet.core import (
        FleetResult as FleetResult,
    )
    from nvreq.fleet.core import (
        HostVerdict as HostVerdict,
    )
    from nvreq.fleet.core import (
        Outcome as Outcome,
    )
    from nvreq.fleet.gfd_labels import (
        COMPUTE as COMPUTE,
    )
    from nvreq.fleet.gfd_labels import (
        CUDA_FULL as CUDA_FULL,
    )
    from nvreq.fleet.gfd_labels import (
        DRIVER_FULL as DRIVER_FULL,
    )
    from nvreq.fleet.gfd_labels import (
        GPU_COUNT as GPU_COUNT,
    )
    from nvreq.fleet.gfd_labels import (
        GPU_MEMORY as GPU_MEMORY,
    )
    from nvreq.fleet.gfd_labels import (
        GPU_PRODUCT as GPU_PRODUCT,
    )
    from nvreq.fleet.gfd_labels import (
        LABEL_SETS as LABEL_SETS,
    )
    from nvreq.fleet.gfd_labels import (
        MIG_CAPABLE as MIG_CAPABLE,
    )
    from nvreq.fleet.gfd_labels import (
        MIG_STRATEGY as MIG_STRATEGY,
    )
    from nvreq.fleet.gfd_labels import (
        NFD_ARCH_UNIFORM as NFD_ARCH_UNIFORM,
    )
    from nvreq.fleet.gfd_labels import (
        NFD_ARCHS as NFD_ARCHS,
    )
    from nvreq.fleet.gfd_labels import (
        NFD_BRAND as NFD_BRAND,
    )
    from nvreq.fleet.gfd_labels import (
        NFD_PREFIX as NFD_PREFIX,
    )
    from nvreq.fleet.gfd_labels import (
        LabelSet as LabelSet,
    )
    from nvreq.fleet.gfd_labels import (
        is_label_key as is_label_key,
    )
    from nvreq.fleet.gfd_labels import (
        is_label_value as is_label_value,
    )
    from nvreq.fleet.inputs import (
        MAX_FLEET_BYTES as MAX_FLEET_BYTES,
    )
    from nvreq.fleet.inputs import (
        MAX_NODES as MAX_NODES,
    )
    from nvreq.fleet.inputs import (
        FleetInput as FleetInput,
    )
    from nvreq.fleet.inputs import (
        hosts_from_data as hosts_from_data,
    )
    from nvreq.fleet.inputs import (
        hosts_from_nodelist as hosts_from_nodelist,
    )
    from nvreq.fleet.inputs import (
        load_brand_map as load_brand_map,
    )
    from nvreq.fleet.inputs import (
        read_hosts as read_hosts,
    )
    from nvreq.fleet.kubernetes import (
        BRAND_POLICIES as BRAND_POLICIES,
    )
    from nvreq.fleet.kubernetes import (
        DEFAULT_MAX_TERMS as DEFAULT_MAX_TERMS,
    )
    from nvreq.fleet.kubernetes import (
        Affinity as Affinity,
    )
    from nvreq.fleet.kubernetes import (
        BrandPolicy as BrandPolicy,
    )
    from nvreq.fleet.kubernetes import (
        and_existing as and_existing,
    )
    from nvreq.fleet.kubernetes import (
        node_affinity as node_affinity,
    )
    from nvreq.fleet.kubernetes import (
        requirements_affinity as requirements_affinity,
    )
    from nvreq.fleet.nfd import MIXED as MIXED
    from nvreq.fleet.nfd import nfd_features as nfd_features
    from nvreq.fleet.node_labels import (
        MAX_NODE_GPUS as MAX_NODE_GPUS,
    )
    from nvreq.fleet.node_labels import (
        is_gpu_node as is_gpu_node,
    )
    from nvreq.fleet.node_labels import (
        profile_from_labels as profile_from_labels,
    )
    from nvreq.fleet.selector import (
        INT64_MAX as INT64_MAX,
    )
    from nvreq.fleet.selector import (
        INT64_MIN as INT64_MIN,
    )
    from nvreq.fleet.selector import (
        Match as Match,
    )
    from nvreq.fleet.selector import (
        Term as Term,
    )
    from nvreq.fleet.selector import (
        conjoin as conjoin,
    )
    from nvreq.fleet.selector import (
        label_int as label_int,
    )
    from nvreq.fleet.selector import (
        simplify as simplify,
    )
    from nvreq.fleet.selector import (
        term as term,
    )
    from nvreq.fleet.selector import (
        term_expressions as term_expressions,
    )
    from nvreq.fleet.selector import (
        with_match as with_match,
    )
    from nvreq.fleet.selector import (
        without_key as without_key,
    )

__all__ = [
    "BRAND_POLICIES",
    "COMPUTE",
    "CUDA_FULL",
    "DEFAULT_MAX_TERMS",
    "DRIVER_FULL",
    "GPU_COUNT",
    "GPU_MEMORY",
    "GPU_PRODUCT",
    "INT64_MAX",
    "INT64_MIN",
    "LABEL_SETS",
    "MAX_FLEET_BYTES",
    "MAX_NODES",
    "MAX_NODE_GPUS",
    "MIG_CAPABLE",
    "MIG_STRATEGY",
    "MIXED",
    "NFD_ARCHS",
    "NFD_ARCH_UNIFORM",
    "NFD_BRAND",
    "NFD_PREFIX",
    "Affinity",
    "BrandPolicy",
    "Fleet",
    "FleetInput",
    "FleetResult",
    "HostVerdict",
    "LabelSet",
    "Match",
    "Outcome",
    "Term",
    "and_existing",
    "conjoin",
    "hosts_from_data",
    "hosts_from_nodelist",
    "is_gpu_node",
    "is_label_key",
    "is_label_value",
    "label_int",
    "load_brand_map",
    "nfd_features",
    "node_affinity",
    "profile_from_labels",
    "read_hosts",
    "requirements_affinity",
    "simplify",
    "term",
    "term_expressions",
    "with_match",
    "without_key",
]

_TABLE = {
    "Affinity": "nvreq.fleet.kubernetes",
    "BRAND_POLICIES": "nvreq.fleet.kubernetes",
    "BrandPolicy": "nvreq.fleet.kubernetes",
    "COMPUTE": "nvreq.fleet.gfd_labels",
    "CUDA_FULL": "nvreq.fleet.gfd_labels",
    "DEFAULT_MAX_TERMS": "nvreq.fleet.kubernetes",
    "DRIVER_FULL": "nvreq.fleet.gfd_labels",
    "Fleet": "nvreq.fleet.core",
    "FleetInput": "nvreq.fleet.inputs",
    "FleetResult": "nvreq.fleet.core",
    "GPU_COUNT": "nvreq.fleet.gfd_labels",
    "GPU_MEMORY": "nvreq.fleet.gfd_labels",
    "GPU_PRODUCT": "nvreq.fleet.gfd_labels",
    "HostVerdict": "nvreq.fleet.core",
    "INT64_MAX": "nvreq.fleet.selector",
    "INT64_MIN": "nvreq.fleet.selector",
    "LABEL_SETS": "nvreq.fleet.gfd_labels",
    "LabelSet": "nvreq.fleet.gfd_labels",
    "MAX_FLEET_BYTES": "nvreq.fleet.inputs",
    "MAX_NODES": "nvreq.fleet.inputs",
    "MAX_NODE_GPUS": "nvreq.fleet.node_labels",
    "MIG_CAPABLE": "nvreq.fleet.gfd_labels",
    "MIG_STRATEGY": "nvreq.fleet.gfd_labels",
    "MIXED": "nvreq.fleet.nfd",
    "Match": "nvreq.fleet.selector",
    "NFD_ARCHS": "nvreq.fleet.gfd_labels",
    "NFD_ARCH_UNIFORM": "nvreq.fleet.gfd_labels",
    "NFD_BRAND": "nvreq.fleet.gfd_labels",
    "NFD_PREFIX": "nvreq.fleet.gfd_labels",
    "Outcome": "nvreq.fleet.core",
    "Term": "nvreq.fleet.selector",
    "and_existing": "nvreq.fleet.kubernetes",
    "conjoin": "nvreq.fleet.selector",
    "hosts_from_data": "nvreq.fleet.inputs",
    "hosts_from_nodelist": "nvreq.fleet.inputs",
    "is_gpu_node": "nvreq.fleet.node_labels",
    "is_label_key": "nvreq.fleet.gfd_labels",
    "is_label_value": "nvreq.fleet.gfd_labels",
    "label_int": "nvreq.fleet.selector",
    "load_brand_map": "nvreq.fleet.inputs",
    "nfd_features": "nvreq.fleet.nfd",
    "node_affinity": "nvreq.fleet.kubernetes",
    "profile_from_labels": "nvreq.fleet.node_labels",
    "read_hosts": "nvreq.fleet.inputs",
    "requirements_affinity": "nvreq.fleet.kubernetes",
    "simplify": "nvreq.fleet.selector",
    "term": "nvreq.fleet.selector",
    "term_expressions": "nvreq.fleet.selector",
    "with_match": "nvreq.fleet.selector",
    "without_key": "nvreq.fleet.selector",
}

__getattr__ = door("nvreq.fleet", _TABLE)
