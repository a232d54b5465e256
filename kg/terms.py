"""RDF terms between rdflib and pyoxigraph: the two libraries' terms, one for the other.

pyoxigraph's terms and quads may be used anywhere in polkg; these convert at the seam
where an rdflib graph (the mapping, SHACL validation) meets the store.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

__all__ = ["to_ox", "from_ox"]


def to_ox(term):
    """An rdflib term as a pyoxigraph term (a pyoxigraph term stays as it is).

    >>> to_ox(URIRef("https://w3id.org/polkg/ref/Russia"))
    <NamedNode value=https://w3id.org/polkg/ref/Russia>
    """
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    """A pyoxigraph term as an rdflib term (None stays None).

    >>> from_ox(ox.Literal("Kyiv", language="en"))
    rdflib.term.Literal('Kyiv', lang='en')
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"not an RDF term: {term!r}")
