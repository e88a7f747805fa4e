"""NLP stage: sentences, entity mentions and predicate-argument rows per article."""

from newswire.nlp.pipeline import ArticleAnnotation, annotate_articles, document_text, load_pipeline

__all__ = ["ArticleAnnotation", "annotate_articles", "document_text", "load_pipeline"]
