// Package wordcount is the classic first job: count the words of a text.
package wordcount
